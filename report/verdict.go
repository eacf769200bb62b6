package report

import "strings"

// Verdict is a one-line judgement of how exposed a target is.
type Verdict struct {
	// Level is critical, high, medium, low or unknown.
	Level string
	// Text says why, for a person.
	Text string
}

// ExposureVerdict judges a target's exposure from its report entry.
func ExposureVerdict(t Target) Verdict {
	e := t.Exposure
	switch {
	case t.Error != nil:
		return Verdict{"unknown", "not scanned: " + *t.Error}
	case t.Kind == "file":
		v := Verdict{"medium", "exported files: whoever obtains them can read everything in them"}
		for _, n := range e.Notes {
			if strings.Contains(n, "every user") {
				v = Verdict{"high", "exported files readable by every user of the machine"}
			}
		}
		return v
	case e.AnonymousAccess:
		return Verdict{"critical", "EXPOSED: answers anyone, without credentials"}
	case e.Reachable && !e.TLS:
		return Verdict{"high", "needs credentials, but data and credentials cross the network without TLS"}
	case e.Reachable:
		return Verdict{"low", "needs credentials and uses TLS"}
	}
	return Verdict{"unknown", "could not be reached"}
}

// RiskLevel names a risk on the 0–100 scale: critical from 70, high from 40,
// medium from 20, low below.
func RiskLevel(risk float64) string {
	switch {
	case risk >= 70:
		return "critical"
	case risk >= 40:
		return "high"
	case risk >= 20:
		return "medium"
	}
	return "low"
}

// affectedLabel writes an affected-records count with a leading "~" when it
// is an estimate from a sample.
func affectedLabel(n int64) string { return "~" + human(n) }

// estimate writes the estimated affected documents of a finding in container
// c: exact when every document was read, else with "~" and, when the
// container states it, the margin of error in documents.
func estimate(n int64, c *Container) string {
	switch {
	case c == nil:
		return affectedLabel(n)
	case c.SampledDocuments >= c.EstimatedDocuments && c.SampledDocuments > 0:
		return human(n)
	case c.MarginOfError > 0:
		return "~" + human(n) + " ±" + human(int64(c.MarginOfError*float64(c.EstimatedDocuments)+0.5))
	}
	return affectedLabel(n)
}

// containerIndex finds the container of a flattened finding.
type containerIndex map[[2]string]*Container

func indexContainers(r *Report) containerIndex {
	ix := containerIndex{}
	for ti := range r.Targets {
		for ci := range r.Targets[ti].Containers {
			c := &r.Targets[ti].Containers[ci]
			ix[[2]string{r.Targets[ti].URI, c.Name}] = c
		}
	}
	return ix
}

func (ix containerIndex) of(target, container string) *Container {
	return ix[[2]string{target, container}]
}
