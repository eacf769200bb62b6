package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"
)

// CategoryDescriptions say in a few words what each category is.
var CategoryDescriptions = map[string]string{
	"email":           "E-mail addresses",
	"phone":           "Telephone numbers",
	"street_address":  "Postal street addresses",
	"postal_code":     "Postal codes",
	"person_name":     "Names of people",
	"date_of_birth":   "Dates of birth",
	"national_id":     "National identity numbers (SSN and other government person numbers)",
	"passport_number": "Passport numbers",
	"password":        "Plaintext passwords or passphrases",
	"password_hash":   "Password hashes",
	"api_secret":      "API keys, access tokens, private keys, session ids and connection strings with passwords",
	"credit_card":     "Payment card numbers (PAN)",
	"card_cvv":        "Card verification codes (CVV/CVC)",
	"card_expiry":     "Card expiry dates",
	"iban":            "International bank account numbers (IBAN)",
	"bank_account":    "Bank account numbers",
	"geo_coordinates": "Geographic coordinates",
	"ip_address":      "IP addresses",
	"mac_address":     "MAC addresses",
	"device_id":       "Device identifiers (IMEI, advertising ids, push tokens, serials)",
	"travel_booking":  "Travel bookings (booking references, tickets, itineraries)",
}

// GroupAdvice says what to do about data of each group.
var GroupAdvice = map[string]string{
	"credentials": "Never keep plaintext secrets in a data store: hash passwords with a slow salted hash (argon2id, bcrypt, scrypt), keep API keys and tokens in a secret manager, and rotate every credential that was stored here.",
	"payment":     "Do not keep full card data: tokenise card numbers with the payment provider, never store the CVV after authorisation (PCI DSS 3.3.2), and encrypt bank account numbers with restricted access.",
	"identity":    "Keep national ids, passport numbers and dates of birth only where a law requires it; encrypt the fields, restrict who can read them and set a retention period.",
	"location":    "Reduce precision (round coordinates, truncate IP addresses) or delete location data after use, and restrict access to it.",
	"contact":     "Restrict contact data to the services that need it, and keep it out of logs, exports and test data.",
	"device":      "Treat device identifiers as personal data: pseudonymise or hash them and keep them out of logs.",
	"travel":      "Keep booking references and itineraries only as long as the trip needs them, and restrict access to them.",
}

var sarifSeverity = map[string]string{"very_high": "9.0", "high": "7.0", "moderate": "5.0", "low": "3.0"}

// sarifLevel maps a risk level to a SARIF level.
func sarifLevel(level string) string {
	switch level {
	case "critical", "high":
		return "error"
	case "moderate", "medium":
		return "warning"
	}
	return "note"
}

// sarifLocationURI names a container as a URI: the file for a dump or
// export, the store's identity with the container as fragment otherwise.
func sarifLocationURI(t Target, container string) string {
	if t.Kind == "file" && !strings.Contains(t.URI, "://") {
		p := filepath.ToSlash(filepath.Join(t.URI, container))
		if strings.HasPrefix(p, "/") {
			// an absolute path is a file URI
			return (&url.URL{Scheme: "file", Path: p}).String()
		}
		return (&url.URL{Path: p}).String()
	}
	return TargetIdentity(t.URI) + "#" + url.PathEscape(container)
}

// maskedOnly keeps the examples that are masked: SARIF files travel to
// dashboards, so a raw value (a report made with --show-data) never goes in.
func maskedOnly(examples []string) []string {
	var out []string
	for _, e := range examples {
		if strings.Contains(e, "*") {
			out = append(out, e)
		}
	}
	return out
}

// WriteSARIF writes the report as SARIF 2.1.0: one rule per category found
// (description, group, help: what to do), one result per (target, container,
// field, category) with a logical location (store › container › field), the
// level from the risk level, masked examples only and a stable
// partialFingerprints entry (the finding's fingerprint). Ignored findings are
// results with an accepted external suppression carrying the reason;
// with a baseline, results carry baselineState new or unchanged.
func WriteSARIF(w io.Writer, r *Report) error {
	doc, err := sarif.New(sarif.Version210, true)
	if err != nil {
		return err
	}
	name := r.Tool.Name
	if name == "" {
		name = "piisniff"
	}
	driver := sarif.NewVersionedDriver(name, orDash(r.Tool.Version)).WithInformationURI("https://github.com/piisniff/piisniff")
	run := sarif.NewRun(*sarif.NewTool(driver))
	doc.AddRun(run)

	type item struct {
		t       Target
		c       string
		path    string
		x       Finding
		ignored *IgnoredFinding
	}
	var items []item
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			for _, f := range c.Fields {
				for _, x := range f.Findings {
					items = append(items, item{t: t, c: c.Name, path: f.Path, x: x})
				}
			}
		}
	}
	targets := map[string]Target{}
	for _, t := range r.Targets {
		targets[t.URI] = t
	}
	for i := range r.Ignored {
		ig := &r.Ignored[i]
		t, ok := targets[ig.Target]
		if !ok {
			t = Target{URI: ig.Target, Kind: ig.Kind}
		}
		items = append(items, item{t: t, c: ig.Container, path: ig.Path, x: ig.Finding, ignored: ig})
	}

	// rules: one per category found, sorted
	cats := map[string]string{}
	for _, it := range items {
		s := it.x.Sensitivity
		if s == "" {
			s = SensitivityNames[DefaultSensitivity(it.x.Category)]
		}
		if sensIndex(s) > sensIndex(cats[it.x.Category]) || cats[it.x.Category] == "" {
			cats[it.x.Category] = s
		}
	}
	ruleIDs := sortedKeys(cats)
	ruleIndex := map[string]int{}
	for i, cat := range ruleIDs {
		group := Categories[cat]
		desc := CategoryDescriptions[cat]
		if desc == "" {
			desc = cat
		}
		help := GroupAdvice[group]
		if help == "" {
			help = "Find out why this data is here; delete it or restrict access to it."
		}
		pb := sarif.NewPropertyBag()
		pb.Add("tags", []string{"privacy", "personal-data", group})
		pb.AddString("group", group)
		pb.AddString("security-severity", sarifSeverity[cats[cat]])
		rule := run.AddRule(cat).
			WithName(ruleName(cat)).
			WithShortDescription(sarif.NewMultiformatMessageString(desc + " (" + group + ")")).
			WithFullDescription(sarif.NewMultiformatMessageString(desc + ", in the group " + group + ". " + help)).
			WithHelp(sarif.NewMultiformatMessageString(help).WithMarkdown(help)).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(RiskLevelNames[DefaultMatrix[sensIndex(cats[cat])][ExpNoTLS]])))
		rule.AttachPropertyBag(pb)
		ruleIndex[cat] = i
	}

	// logical locations: store › container › field, each once
	llIndex := map[string]int{}
	logical := func(key, name, fqn, kind string, parent int) int {
		if i, ok := llIndex[key]; ok {
			return i
		}
		ll := sarif.NewLogicalLocation().WithName(name).WithFullyQualifiedName(fqn).WithKind(kind)
		if parent >= 0 {
			ll = ll.WithParentIndex(parent)
		}
		run.AddILogicalLocation(ll)
		llIndex[key] = len(run.LogicalLocations) - 1
		return llIndex[key]
	}
	for _, it := range items {
		store := TargetIdentity(it.t.URI)
		si := logical(store, store, store, "namespace", -1)
		cfq := store + " › " + it.c
		ci := logical("\x00"+cfq, it.c, cfq, "type", si)
		ffq := cfq + " › " + it.path
		fi := logical("\x01"+ffq, it.path, ffq, "member", ci)

		level := levelOr(it.x.RiskLevel, it.x.Risk)
		fp := it.x.Fingerprint
		if fp == "" {
			fp = Fingerprint(it.t.URI, it.c, it.path, it.x.Category)
		}
		msg := fmt.Sprintf("%s in %s › %s of %s: %s, risk %s/100 (%s); %s.",
			desc(it.x.Category), it.c, it.path, store, plural(affectedLabel(it.x.EstimatedAffectedDocuments), "record", "records"),
			f1(it.x.Risk), level, exposureOf(it.t))
		if ex := maskedOnly(it.x.Examples); len(ex) > 0 {
			msg += " Masked examples: " + strings.Join(ex, ", ") + "."
		}
		ll := sarif.NewLogicalLocation().WithIndex(fi).WithName(it.path).WithFullyQualifiedName(ffq).WithKind("member")
		loc := sarif.NewLocation().
			WithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(sarifLocationURI(it.t, it.c)))).
			WithLogicalLocations([]*sarif.LogicalLocation{ll})
		res := run.CreateResultForRule(it.x.Category).
			WithRuleIndex(ruleIndex[it.x.Category]).
			WithLevel(sarifLevel(level)).
			WithMessage(sarif.NewTextMessage(msg)).
			WithLocations([]*sarif.Location{loc}).
			WithPartialFingerPrints(map[string]interface{}{"piisniffFinding/v1": fp})
		if r.Baseline != nil && it.ignored == nil {
			state := "new"
			if it.x.Baseline {
				state = "unchanged"
			}
			res.WithBaselineState(state)
		}
		pb := sarif.NewPropertyBag()
		pb.Add("risk", it.x.Risk)
		pb.AddString("risk_level", level)
		pb.AddString("sensitivity", it.x.Sensitivity)
		pb.AddString("exposure_level", it.t.ExposureLevel)
		pb.AddString("store", store)
		pb.AddString("container", it.c)
		pb.AddString("field", it.path)
		pb.Add("estimated_affected_documents", it.x.EstimatedAffectedDocuments)
		pb.Add("confidence", it.x.Confidence)
		res.AttachPropertyBag(pb)
		if it.ignored != nil {
			res.AddSuppression(sarif.NewSuppression("external").WithStatus("accepted").
				WithJustifcation(it.ignored.Reason + " (" + it.ignored.Entry + ")"))
		}
	}
	inv := run.AddInvocation(r.Complete)
	for _, e := range r.IgnoreExpired {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarif.NewNotification().WithLevel("warning").WithMessage(sarif.NewTextMessage(e.Message)))
	}
	var notes []string
	for _, t := range r.Targets {
		if t.Error != nil {
			notes = append(notes, t.URI+": "+*t.Error)
		}
		for _, c := range t.Containers {
			if c.Error != nil {
				notes = append(notes, t.URI+" "+c.Name+": "+*c.Error)
			}
		}
	}
	sort.Strings(notes)
	for _, n := range notes {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarif.NewNotification().WithLevel("error").WithMessage(sarif.NewTextMessage(n)))
	}

	// The library writes absent optional objects as null, which the
	// schema forbids: drop every null before writing.
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		return err
	}
	var tree any
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(dropNulls(tree))
}

func desc(cat string) string {
	if d := CategoryDescriptions[cat]; d != "" {
		return d
	}
	return cat
}

func exposureOf(t Target) string {
	e := ExposureLevel(t)
	if e == ExpUnknown {
		return "a dump or export: " + ExposureMeanings[e]
	}
	return "the store " + ExposureMeanings[e]
}

// ruleName is a category id in PascalCase after PersonalData
// (credit_card → PersonalDataCreditCard): SARIF wants a name unlike the id.
func ruleName(cat string) string {
	var b strings.Builder
	b.WriteString("PersonalData")
	for _, part := range strings.Split(cat, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(e)
		}
	case []any:
		for i := range x {
			x[i] = dropNulls(x[i])
		}
	}
	return v
}
