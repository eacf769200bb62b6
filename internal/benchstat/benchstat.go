// Package benchstat holds what the project's benchmarks measure the same
// way everywhere: the process's CPU time and the spread of per-iteration
// ratios.
package benchstat

import (
	"slices"
	"syscall"
	"testing"
	"time"
)

// ProcessCPU is the CPU time (user and system) the process has used, all
// its goroutines and the collector included.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportMedian reports the median of values as name-median (values is
// sorted).
func ReportMedian(b *testing.B, name string, values []float64) {
	if len(values) == 0 {
		return
	}
	slices.Sort(values)
	b.ReportMetric(values[len(values)/2], name+"-median")
}

// ReportSpread reports the median, lowest and highest of values as
// name-median, name-min and name-max (values is sorted).
func ReportSpread(b *testing.B, name string, values []float64) {
	if len(values) == 0 {
		return
	}
	ReportMedian(b, name, values)
	b.ReportMetric(values[0], name+"-min")
	b.ReportMetric(values[len(values)-1], name+"-max")
}
