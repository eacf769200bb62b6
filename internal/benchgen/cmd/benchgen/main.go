// Command benchgen writes a large NDJSON file of fake documents for the scan
// benchmark: benchgen -n 200000 -o /tmp/docs.ndjson (or -mb 1024 for a size).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/piisniff/piisniff/internal/benchgen"
)

func main() {
	n := flag.Int("n", 200000, "documents to write")
	mb := flag.Int("mb", 0, "write about this many MiB instead of -n documents")
	out := flag.String("o", "", "output file (required)")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "benchgen: -o FILE is required")
		os.Exit(2)
	}
	if *mb > 0 {
		*n = *mb * 1024 * 1024 / 570 // documents are about 570 bytes
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	if err := benchgen.Write(f, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
