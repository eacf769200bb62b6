package classifiers_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/report"
)

// schemaTaxonomy is the taxonomy table of the shared report schema
// (report-schema.md, "Taxonomy"), copied here by hand: group → category
// ids, in the schema's order. The schema is the contract; the two lists in
// the code (classifiers.Taxonomy and report.Categories, which report keeps
// so that it need not import classifiers) must both say exactly this.
var schemaTaxonomy = []struct {
	group      string
	categories []string
}{
	{"contact", []string{"email", "phone", "street_address", "postal_code"}},
	{"identity", []string{"person_name", "date_of_birth", "national_id", "passport_number"}},
	{"credentials", []string{"password", "password_hash", "api_secret"}},
	{"payment", []string{"credit_card", "card_cvv", "card_expiry", "iban", "bank_account"}},
	{"location", []string{"geo_coordinates", "ip_address"}},
	{"device", []string{"mac_address", "device_id"}},
	{"travel", []string{"travel_booking"}},
}

func TestTaxonomyMatchesSchema(t *testing.T) {
	var want [][2]string
	for _, row := range schemaTaxonomy {
		for _, c := range row.categories {
			want = append(want, [2]string{c, row.group})
		}
	}
	var got [][2]string
	for _, x := range classifiers.Taxonomy {
		got = append(got, [2]string{x.Category, x.Group})
	}
	if !slices.Equal(got, want) {
		t.Errorf("classifiers.Taxonomy (category, group) in order:\n got  %v\n want %v", got, want)
	}
	for _, row := range schemaTaxonomy {
		if !classifiers.IsGroup(row.group) {
			t.Errorf("IsGroup(%q) = false", row.group)
		}
		for _, c := range row.categories {
			if g := classifiers.GroupOf(c); g != row.group {
				t.Errorf("GroupOf(%q) = %q, want %q", c, g, row.group)
			}
		}
	}
	for _, notGroup := range []string{"", "email", "contacts", "Contact"} {
		if classifiers.IsGroup(notGroup) {
			t.Errorf("IsGroup(%q) = true", notGroup)
		}
	}
}

// TestReportCategoriesMatchTaxonomy: the report validator's taxonomy is the
// classifiers' one, category for category.
func TestReportCategoriesMatchTaxonomy(t *testing.T) {
	want := map[string]string{}
	for _, x := range classifiers.Taxonomy {
		want[x.Category] = x.Group
	}
	if len(want) != len(classifiers.Taxonomy) {
		t.Fatalf("classifiers.Taxonomy lists a category twice")
	}
	if !maps.Equal(report.Categories, want) {
		for c, g := range want {
			if report.Categories[c] != g {
				t.Errorf("report.Categories[%q] = %q, classifiers say %q", c, report.Categories[c], g)
			}
		}
		for c, g := range report.Categories {
			if _, ok := want[c]; !ok {
				t.Errorf("report.Categories has %q (%s), which the classifiers do not know", c, g)
			}
		}
	}
}
