package main

import (
	"fmt"
	"io"

	"github.com/piisniff/piisniff/report"
)

// failOnUsage is the help of the --fail-on flag.
const failOnUsage = "exit with code 3 when a `CONDITION` holds, after writing the report: risk>=N, score>=N, " +
	"category:ID, group:ID, combination:ID, exposure:anonymous, exposure:no-tls, incomplete (comma-separated or repeated)"

// parseFailOn parses the --fail-on conditions.
func parseFailOn(specs []string) (report.Policy, error) {
	p, err := report.ParsePolicy(specs...)
	if err != nil {
		return nil, usageErr("--fail-on: %v", err)
	}
	return p, nil
}

// checkPolicy writes one line on stderr per condition of p that holds for r
// and returns the policy exit error, or nil when no condition holds.
func checkPolicy(stderr io.Writer, p report.Policy, r *report.Report) error {
	breaches := p.Evaluate(r)
	if len(breaches) == 0 {
		return nil
	}
	for _, b := range breaches {
		fmt.Fprintf(stderr, "piisniff: --fail-on %s\n", b)
	}
	return &exitError{code: exitPolicy, err: fmt.Errorf("policy breached: %d of %d --fail-on conditions hold", len(breaches), len(p))}
}
