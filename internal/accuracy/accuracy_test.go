package accuracy_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	_ "github.com/piisniff/piisniff/connectors/files"
	"github.com/piisniff/piisniff/internal/accuracy"
	"github.com/piisniff/piisniff/pipeline"
)

var (
	update = flag.Bool("update", false, "rewrite docs/accuracy.md with the measured table")
	seeds  = flag.Int("seeds", 0, "also run the benchmark with seeds 1..N")
)

// Targets of the benchmark.
const (
	minMicroF1   = 0.98
	minPrecision = 0.97
	minRecall    = 0.95
	// maxCleanShare bounds the share of the no-personal-data corpus's
	// fields with any finding at the default --min-confidence (0.5)
	maxCleanShare = 0.01
	seed          = 20261125
	docsPerColl   = 200
)

// TestAccuracy scans the generated benchmark with the product's own
// pipeline (files connector, flattener, classifiers, per-field
// aggregation, the default --min-confidence) and scores the report field
// by field against the ground truth.
func TestAccuracy(t *testing.T) {
	cols := accuracy.Generate(seed, docsPerColl)
	dir := t.TempDir()
	if err := accuracy.Write(dir, cols); err != nil {
		t.Fatal(err)
	}
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	r := pipeline.Run(context.Background(), []string{dir}, pipeline.Config{
		Engine: e, SampleSize: 0, Seed: 1, MinConfidence: 0.5, Workers: 2,
	})
	for _, tg := range r.Targets {
		if tg.Error != nil {
			t.Fatalf("scan error: %s", *tg.Error)
		}
	}
	res := accuracy.Score(cols, r)
	table := res.Table()
	shapes, byShape := accuracy.ScoreShapes(cols, r)
	shapeTable := accuracy.ShapeTable(shapes, byShape, cols)
	fields, flagged := accuracy.CleanShare(cols, r)
	share := float64(len(flagged)) / float64(max(fields, 1))
	clean := fmt.Sprintf("No-personal-data corpus: %d of %d fields (%.2f%%) carry a finding at confidence ≥ 0.5.\n",
		len(flagged), fields, 100*share)
	t.Logf("\n%s\n%s\n%s", table, shapeTable, clean)
	for _, m := range res.Mistakes {
		t.Log(m)
	}
	for _, fl := range flagged {
		t.Log("clean corpus field with a finding:", fl)
	}
	if *update {
		writeDoc(t, "table", table)
		writeDoc(t, "shapes", shapeTable)
		writeDoc(t, "clean", clean)
		writeDoc(t, "cases", accuracy.Cases(cols))
	}
	if share >= maxCleanShare {
		t.Errorf("no-personal-data corpus: %.2f%% of fields with a finding, want under %.0f%%", 100*share, 100*maxCleanShare)
	}
	if fields < 100 {
		t.Errorf("no-personal-data corpus has %d fields only", fields)
	}
	if f1 := res.Micro().F1(); f1 < minMicroF1 {
		t.Errorf("micro-F1 %.3f below %.2f", f1, minMicroF1)
	}
	for cat, c := range res.Categories {
		if c.Precision() < minPrecision {
			t.Errorf("%s: precision %.3f below %.2f", cat, c.Precision(), minPrecision)
		}
		if c.Recall() < minRecall {
			t.Errorf("%s: recall %.3f below %.2f", cat, c.Recall(), minRecall)
		}
		if c.TP+c.FN == 0 {
			t.Errorf("%s: the benchmark plants no field of this category", cat)
		}
	}
}

func writeDoc(t *testing.T, marker, table string) {
	path := filepath.Join("..", "..", "docs", "accuracy.md")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+marker+":begin -->\n", "<!-- "+marker+":end -->"
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s: markers %q and %q not found", path, begin, end)
	}
	s = s[:i+len(begin)] + table + s[j:]
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGenerateDeterministic checks that the same seed gives the same data.
func TestGenerateDeterministic(t *testing.T) {
	a := accuracy.Generate(7, 20)
	b := accuracy.Generate(7, 20)
	da, db := t.TempDir(), t.TempDir()
	if err := accuracy.Write(da, a); err != nil {
		t.Fatal(err)
	}
	if err := accuracy.Write(db, b); err != nil {
		t.Fatal(err)
	}
	for _, c := range a {
		x, _ := os.ReadFile(filepath.Join(da, c.Name))
		y, _ := os.ReadFile(filepath.Join(db, c.Name))
		if string(x) != string(y) || len(x) == 0 {
			t.Fatalf("%s differs between two runs with the same seed", c.Name)
		}
	}
}

// TestAccuracySeeds runs the benchmark with other seeds (go test -run
// Seeds -seeds 5) to check that the figures do not depend on one draw.
func TestAccuracySeeds(t *testing.T) {
	if *seeds == 0 {
		t.Skip("set -seeds N to run")
	}
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= *seeds; s++ {
		cols := accuracy.Generate(uint64(s), docsPerColl)
		dir := t.TempDir()
		if err := accuracy.Write(dir, cols); err != nil {
			t.Fatal(err)
		}
		r := pipeline.Run(context.Background(), []string{dir}, pipeline.Config{Engine: e, Seed: 1, MinConfidence: 0.5, Workers: 2})
		res := accuracy.Score(cols, r)
		t.Logf("seed %d: micro-F1 %.3f", s, res.Micro().F1())
		for _, m := range res.Mistakes {
			t.Log(m)
		}
	}
}

// TestErrorClasses is the regression test of each error class issue 16
// lists: a scan of the benchmark's error-class collections must report,
// or not report, these (field, category) pairs.
func TestErrorClasses(t *testing.T) {
	var cols []accuracy.Collection
	for _, c := range accuracy.Generate(seed, docsPerColl) {
		if c.Shape == "error classes" || c.Name == "clean/build_artifacts.ndjson" {
			cols = append(cols, c)
		}
	}
	dir := t.TempDir()
	if err := accuracy.Write(dir, cols); err != nil {
		t.Fatal(err)
	}
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	r := pipeline.Run(context.Background(), []string{dir}, pipeline.Config{Engine: e, Seed: 1, MinConfidence: 0.5, Workers: 2})
	got := map[string]bool{}
	for _, tg := range r.Targets {
		for _, c := range tg.Containers {
			for _, fl := range c.Fields {
				for _, x := range fl.Findings {
					got[c.Name+" "+fl.Path+" "+x.Category] = true
				}
			}
		}
	}
	type pair struct {
		coll, path, cat string
		want            bool
	}
	classes := []struct {
		name  string
		pairs []pair
	}{
		{"IPv4 addresses are not phone numbers", []pair{
			{"errors/kunden_region_de.ndjson", "last_login_ip", "phone", false},
			{"errors/kunden_region_de.ndjson", "router", "phone", false},
			{"errors/kunden_region_de.ndjson", "last_login_ip", "ip_address", true},
			{"errors/kunden_region_de.ndjson", "telefon", "phone", true},
		}},
		{"day.month.year dates are not phone numbers", []pair{
			{"errors/kunden_region_de.ndjson", "kunde_seit", "phone", false},
			{"errors/kunden_region_de.ndjson", "customer_since", "phone", false},
			{"errors/kunden_region_de.ndjson", "letzte_bestellung", "phone", false},
		}},
		{"routing numbers, BLZ and sort codes are not bank accounts", []pair{
			{"errors/payouts.ndjson", "routing_number", "bank_account", false},
			{"errors/payouts.ndjson", "aba", "bank_account", false},
			{"errors/payouts.ndjson", "bank.blz", "bank_account", false},
			{"errors/payouts.ndjson", "bank.bankleitzahl", "bank_account", false},
			{"errors/payouts.ndjson", "uk.sort_code", "bank_account", false},
			{"errors/payouts.ndjson", "bsb", "bank_account", false},
			{"errors/payouts.ndjson", "account_number", "bank_account", true},
			{"errors/payouts.ndjson", "bank.kontonummer", "bank_account", true},
			{"errors/payouts.ndjson", "uk.account_number", "bank_account", true},
		}},
		{"national identifiers with their checksums", []pair{
			{"errors/citizens_world.ndjson", "steuerliche_identifikationsnummer", "national_id", true},
			{"errors/citizens_world.ndjson", "steuer_idnr", "national_id", true},
			{"errors/citizens_world.ndjson", "numero_securite_sociale", "national_id", true},
			{"errors/citizens_world.ndjson", "national_insurance_number", "national_id", true},
			{"errors/citizens_world.ndjson", "burgerservicenummer", "national_id", true},
			{"errors/citizens_world.ndjson", "dni", "national_id", true},
			{"errors/citizens_world.ndjson", "codice_fiscale", "national_id", true},
			{"errors/citizens_world.ndjson", "pesel", "national_id", true},
			{"errors/citizens_world.ndjson", "personnummer", "national_id", true},
			{"errors/citizens_world.ndjson", "cpf", "national_id", true},
			{"errors/citizens_world.ndjson", "numero_aadhaar", "national_id", true},
			{"errors/citizens_world.ndjson", "ssn", "national_id", true},
			{"errors/citizens_world.ndjson", "itin", "national_id", true},
			{"errors/citizens_world.ndjson", "sin", "national_id", true},
			{"errors/citizens_world.ndjson", "customer_number", "national_id", false},
			{"errors/citizens_world.ndjson", "order_ref", "national_id", false},
		}},
		{"device identifiers under generic names, and a mixture of two categories", []pair{
			{"errors/devices_generic.ndjson", "field_7", "device_id", true},
			{"errors/devices_generic.ndjson", "value", "device_id", true},
			{"errors/devices_generic.ndjson", "c3", "device_id", true},
			{"errors/devices_generic.ndjson", "c3", "email", true},
			{"errors/devices_generic.ndjson", "c4", "device_id", false},
			{"errors/devices_generic.ndjson", "attr", "device_id", false},
		}},
		{"legacy unsalted digests are password hashes, file digests are not", []pair{
			{"errors/users_legacy_hashes.ndjson", "sha1_legacy", "password_hash", true},
			{"errors/users_legacy_hashes.ndjson", "old_md5", "password_hash", true},
			{"errors/users_legacy_hashes.ndjson", "md5", "password_hash", true},
			{"clean/build_artifacts.ndjson", "md5", "password_hash", false},
			{"clean/build_artifacts.ndjson", "sha256", "password_hash", false},
			{"errors/users_legacy_hashes.ndjson", "checksum", "password_hash", false},
			{"errors/users_legacy_hashes.ndjson", "avatar.sha1", "password_hash", false},
			{"errors/users_legacy_hashes.ndjson", "attachments[].md5", "password_hash", false},
		}},
		{"booking references by name, promo codes of the same shape not", []pair{
			{"errors/trips.ndjson", "booking_reference", "travel_booking", true},
			{"errors/trips.ndjson", "record_locator", "travel_booking", true},
			{"errors/trips.ndjson", "pnr", "travel_booking", true},
			{"errors/trips.ndjson", "Buchungsnummer", "travel_booking", true},
			{"errors/trips.ndjson", "referral_code", "travel_booking", false},
			{"errors/trips.ndjson", "promo_code", "travel_booking", false},
			{"errors/trips.ndjson", "invite_code", "travel_booking", false},
			{"errors/trips.ndjson", "voucher", "travel_booking", false},
		}},
	}
	for _, cl := range classes {
		t.Run(cl.name, func(t *testing.T) {
			for _, p := range cl.pairs {
				if got[p.coll+" "+p.path+" "+p.cat] != p.want {
					t.Errorf("%s › %s › %s: reported %v, want %v", p.coll, p.path, p.cat, !p.want, p.want)
				}
			}
		})
	}
}
