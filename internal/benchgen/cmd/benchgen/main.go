// Command benchgen writes a large NDJSON file of fake documents for the scan
// benchmark: benchgen -n 200000 -o /tmp/docs.ndjson (or -mb 1024 for a size;
// -corpus uniform for the single-shape corpus).
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
	corpus := flag.String("corpus", "mixed", "mixed (nine collection shapes, eight locales) or uniform (one shape)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "benchgen: -o FILE is required")
		os.Exit(2)
	}
	write, docSize := benchgen.WriteMixed, 440
	switch *corpus {
	case "mixed":
	case "uniform":
		write, docSize = benchgen.Write, 570
	default:
		fmt.Fprintln(os.Stderr, "benchgen: -corpus is mixed or uniform")
		os.Exit(2)
	}
	if *mb > 0 {
		*n = *mb * 1024 * 1024 / docSize
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	if err := write(f, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
