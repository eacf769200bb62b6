package files

import "os"

// openRead opens a file for reading: the only way the connector opens
// files (os.Open: O_RDONLY). OpenHook, when set by a test, sees each open.
func openRead(path string) (*os.File, error) {
	if h := openHook; h != nil {
		h(path, os.O_RDONLY)
	}
	return os.Open(path)
}

// openHook is called with every path the connector opens and the flags it
// opens it with; tests use it as the connector's command log.
var openHook func(path string, flags int)
