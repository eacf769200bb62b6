package mongodb

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// lostError is a container's failure because the server went away part
// way through the scan. Its message says so in words a person can act on;
// it keeps the driver's error for errors.Is/As.
type lostError struct {
	msg string
	err error
}

func (e *lostError) Error() string { return e.msg }
func (e *lostError) Unwrap() error { return e.err }

// serverLost returns the error for a failure caused by a lost or refused
// connection, or nil when err is something else.
func serverLost(name string, err error) error {
	lower := strings.ToLower(err.Error())
	var reason string
	switch {
	case strings.Contains(lower, "server selection"):
		reason = "the server could not be reached any more (it stopped, or the network failed)"
	case isTimeLimit(err):
		// a query that ran out of time says so (containerError)
		return nil
	case mongo.IsNetworkError(err), strings.Contains(lower, "connection pool") && strings.Contains(lower, "was cleared"):
		reason = "the connection to the server was lost (it stopped, or the network failed)"
	default:
		return nil
	}
	return &lostError{msg: fmt.Sprintf("%s: %s; the documents read before still count: %s", name, reason, briefDriverError(err)), err: err}
}
