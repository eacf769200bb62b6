package report

import (
	"strings"
	"testing"
)

func TestTargetIdentity(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"mongodb://admin:s3cret@DB.example.internal:27017/shop?authSource=admin", "mongodb://db.example.internal:27017/shop"},
		{"mongodb://admin:***@db.example.internal:27017/shop", "mongodb://db.example.internal:27017/shop"},
		{"https://elastic:changeme@es.example:9200", "https://es.example:9200"},
		{"postgres://u:p@pg.example:5432/app/extra?sslmode=require", "postgres://pg.example:5432/app"},
		{"redis://:pw@127.0.0.1:6379/2", "redis://127.0.0.1:6379/2"},
		{"./exports/", "file:exports"},
		{"exports", "file:exports"},
		{"file:///var/dumps/x", "file:/var/dumps/x"},
		{"mongodb://u:p%zz@h:1", "mongodb://h:1"},
	}
	for _, tc := range tests {
		if got := TargetIdentity(tc.uri); got != tc.want {
			t.Errorf("TargetIdentity(%q) = %q, want %q", tc.uri, got, tc.want)
		}
	}
	// credentials never change a fingerprint, the rest always does
	a := Fingerprint("mongodb://a:1@h:27017/db", "c", "p", "email")
	for _, same := range []string{Fingerprint("mongodb://b:2@h:27017/db", "c", "p", "email"), Fingerprint("mongodb://h:27017/db?x=1", "c", "p", "email")} {
		if same != a {
			t.Errorf("credentials or options changed the fingerprint")
		}
	}
	for _, other := range []string{Fingerprint("mongodb://h:27018/db", "c", "p", "email"), Fingerprint("mongodb://h:27017/db2", "c", "p", "email"),
		Fingerprint("mongodb://h:27017/db", "c2", "p", "email"), Fingerprint("mongodb://h:27017/db", "c", "p2", "email"),
		Fingerprint("mongodb://h:27017/db", "c", "p", "phone"), Fingerprint("mongodb://h:27017/db", "c\x00p", "", "email")} {
		if other == a {
			t.Errorf("different findings share a fingerprint")
		}
	}
}

func TestBaselineAndNewOnly(t *testing.T) {
	m := RiskModel{Weight: func(string) float64 { return 0.5 }}
	old := kitReport()
	Finish(old, m, false)

	// a scan with a baseline of itself fails on nothing
	same := kitReport()
	Finish(same, m, false)
	MarkBaseline(same, old, "old.json")
	policy, err := ParsePolicy("risk>=70,category:credit_card,group:credentials,combination:usable_card,exposure:anonymous,score>=50")
	if err != nil {
		t.Fatal(err)
	}
	if b := policy.Evaluate(same); len(b) != 0 {
		t.Errorf("a scan against a baseline of itself breached %v", b)
	}
	if same.Baseline.New != 0 || same.Baseline.Findings != len(Flatten(same)) {
		t.Errorf("baseline info = %+v", same.Baseline)
	}
	// new-only=false counts them again
	all, _ := ParsePolicy("risk>=70,new-only=false")
	high := 0
	for _, f := range Flatten(same) {
		if f.Risk >= 70 {
			high++
		}
	}
	if b := all.Evaluate(same); len(b) != 1 || b[0].Count != high || high == 0 {
		t.Errorf("new-only=false: %v", b)
	}

	// one new planted field fails on exactly that field
	grown := kitReport()
	c := &grown.Targets[0].Containers[2]
	c.Fields = append(c.Fields, Field{Path: "api_token", Findings: []Finding{{Category: "api_secret", Group: "credentials",
		Confidence: 0.95, Evidence: []string{"value"}, EstimatedAffectedDocuments: 10, Examples: []string{"eyJ***"}}}})
	Finish(grown, m, false)
	MarkBaseline(grown, old, "old.json")
	b := policy.Evaluate(grown)
	if len(b) == 0 {
		t.Fatal("a new planted field did not fail the policy")
	}
	for _, x := range b {
		if x.Count != 1 || !strings.Contains(x.Detail, "logs › api_token") {
			t.Errorf("breach %v is not exactly the new field", x)
		}
	}
	// without a baseline, new-only changes nothing
	plain := kitReport()
	Finish(plain, m, false)
	if b := policy.Evaluate(plain); len(b) != 6 {
		t.Errorf("without a baseline %d conditions breached, want 6: %v", len(b), b)
	}
}
