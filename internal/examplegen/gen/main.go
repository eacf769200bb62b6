// Command gen writes examples/leaky-app and examples/leaky-app.expected.json.
//
//	go run ./internal/examplegen/gen -out examples
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/piisniff/piisniff/internal/examplegen"
)

func main() {
	out := flag.String("out", "examples", "the examples directory")
	flag.Parse()
	if err := examplegen.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
