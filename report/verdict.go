package report

import "strings"

// Verdict is a one-line judgement of how exposed a target is.
type Verdict struct {
	// Level is critical, high, medium, low or unknown.
	Level string
	// Text says why, for a person.
	Text string
	// Advice says what to do about it: for a live store, how to close it;
	// for a dump or export, how to treat a copy whose exposure is unknown.
	Advice string
}

// ExposureVerdict judges a target's exposure from its report entry.
func ExposureVerdict(t Target) Verdict {
	e := t.Exposure
	switch {
	case t.Error != nil:
		return Verdict{"unknown", "not scanned: " + *t.Error, "fix the error and scan again: nothing of this target was read"}
	case t.Kind == "file":
		v := Verdict{"unknown", "dump or export: " + ExposureMeanings[ExpUnknown],
			"find out where the copy came from and who has it; if it is yours, delete it or move it to encrypted storage, and rotate every credential in it"}
		for _, n := range e.Notes {
			if strings.Contains(n, "every user") {
				v = Verdict{"high", "dump or export readable by every user of the machine; " + ExposureMeanings[ExpUnknown],
					"restrict the files to their owner (chmod 600) or delete them, then find out who else copied them; rotate every credential in them"}
			}
		}
		return v
	case e.AnonymousAccess:
		return Verdict{"critical", "EXPOSED: answers anyone, without credentials",
			"require authentication and close the port to the internet now; assume the data has been read and rotate the credentials it holds"}
	case e.Reachable && !e.TLS:
		return Verdict{"high", "needs credentials, but data and credentials cross the network without TLS",
			"turn on TLS and rotate the credentials that crossed the network in clear text"}
	case e.Reachable:
		return Verdict{"low", "needs credentials and uses TLS",
			"review who holds credentials and whether the personal data needs to be kept"}
	}
	return Verdict{"unknown", "could not be reached", "check the address and the network path, then scan again"}
}

// RiskLevel names a risk on the 0–100 scale by the default bands: critical
// from 80, high from 60, moderate from 40, low below. Reports carry their own
// risk_level fields; this names a bare score.
func RiskLevel(risk float64) string {
	for l := RiskCritical; l > RiskLow; l-- {
		if risk >= DefaultBands[l].Min {
			return RiskLevelNames[l]
		}
	}
	return "low"
}

// levelOr is a report's stored level, else the level of the score.
func levelOr(level string, risk float64) string {
	if level != "" {
		return level
	}
	return RiskLevel(risk)
}

// plural writes n with the noun in the singular for one and the plural
// otherwise: "1 record", "3 records", "~1 record".
func plural(n string, one, many string) string {
	if strings.TrimPrefix(n, "~") == "1" {
		return n + " " + one
	}
	return n + " " + many
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
