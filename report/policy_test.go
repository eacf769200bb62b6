package report

import (
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		want  string // conditions written back, joined with ","
		err   string
	}{
		{"empty", nil, "", ""},
		{"blank parts", []string{" , ,"}, "", ""},
		{"risk", []string{"risk>=70"}, "risk>=70", ""},
		{"risk strict", []string{"risk>69.5"}, "risk>69.5", ""},
		{"spaces", []string{" risk >= 70 "}, "risk>=70", ""},
		{"score", []string{"score>=90"}, "score>=90", ""},
		{"comma list", []string{"category:credit_card,group:credentials"}, "category:credit_card,group:credentials", ""},
		{"repeated", []string{"exposure:anonymous", "risk>=50"}, "exposure:anonymous,risk>=50", ""},
		{"case", []string{"Group:Payment"}, "group:payment", ""},
		{"no tls", []string{"exposure:no-tls", "exposure:no_tls"}, "exposure:no-tls,exposure:no-tls", ""},
		{"combination", []string{"combination:usable_card"}, "combination:usable_card", ""},
		{"incomplete", []string{"incomplete"}, "incomplete", ""},
		{"risk without op", []string{"risk"}, "", "not one of"},
		{"risk equals", []string{"risk=70"}, "", ">= or >"},
		{"risk less", []string{"risk<=70"}, "", ">= or >"},
		{"risk not a number", []string{"risk>=high"}, "", "not a number"},
		{"risk too high", []string{"risk>=170"}, "", "0 to 100"},
		{"risk negative", []string{"risk>=-1"}, "", "0 to 100"},
		{"risk nan", []string{"risk>=NaN"}, "", "0 to 100"},
		{"unknown category", []string{"category:shoe_size"}, "", "unknown category"},
		{"unknown group", []string{"group:secrets"}, "", "unknown group"},
		{"unknown exposure", []string{"exposure:public"}, "", "anonymous or no-tls"},
		{"unknown combination", []string{"combination:kit"}, "", "unknown combination"},
		{"unknown kind", []string{"owner:bob"}, "", "unknown condition"},
		{"bare word", []string{"credit_card"}, "", "not one of"},
		{"error names the condition", []string{"risk>=70,group:nope"}, "", `"group:nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy(tc.specs...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range p {
				got = append(got, c.String())
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("got %q, want %q", strings.Join(got, ","), tc.want)
			}
		})
	}
}

func TestPolicyEvaluate(t *testing.T) {
	r := kitReport()
	var top float64
	for _, f := range Flatten(r) {
		top = max(top, f.Risk)
	}
	tests := []struct {
		policy string
		fires  []string
	}{
		{"", nil},
		{"risk>=0", []string{"risk>=0"}},
		{"risk>=100", nil},
		{"risk>=" + f1(top), []string{"risk>=" + f1(top)}},
		{"risk>" + f1(top), nil},
		{"score>=50", []string{"score>=50"}},
		{"category:credit_card", []string{"category:credit_card"}},
		{"category:iban", nil},
		{"group:credentials,group:device", []string{"group:credentials"}},
		{"exposure:anonymous", []string{"exposure:anonymous"}},
		{"exposure:no-tls", []string{"exposure:no-tls"}},
		{"combination:usable_card", []string{"combination:usable_card"}},
		{"incomplete", nil},
		{"group:travel,category:password,exposure:anonymous", []string{"category:password", "exposure:anonymous"}},
	}
	for _, tc := range tests {
		t.Run(tc.policy, func(t *testing.T) {
			p, err := ParsePolicy(tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range p.Evaluate(r) {
				got = append(got, b.Condition.String())
				if b.Detail == "" || b.Count < 1 {
					t.Errorf("breach without detail: %+v", b)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.fires, " ") {
				t.Errorf("fired %v, want %v", got, tc.fires)
			}
		})
	}
	p, _ := ParsePolicy("group:credentials")
	b := p.Evaluate(r)[0]
	if !strings.Contains(b.String(), "password") || !strings.Contains(b.String(), "and 1 more") {
		t.Errorf("breach message %q should name the riskiest finding and count the rest", b.String())
	}

	files := &Report{Complete: false, Targets: []Target{{Kind: "file", Exposure: Exposure{Reachable: true}}}}
	p, _ = ParsePolicy("exposure:no-tls,incomplete")
	if got := p.Evaluate(files); len(got) != 1 || got[0].Condition.Kind != "incomplete" {
		t.Errorf("files have no TLS to lack; incomplete should fire: %+v", got)
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{"risk>=70", "category:credit_card,group:credentials", "exposure:anonymous", "score>1e2",
		"risk >= 0x10", "combination:usable_card", "incomplete", ",,", "risk>=NaN", "group:", ":", "new-only=false", "new-only", "risk>=70,new-only=true", "new-only=maybe"} {
		f.Add(s)
	}
	r := kitReport()
	f.Fuzz(func(t *testing.T, spec string) {
		p, err := ParsePolicy(spec)
		if err != nil {
			return
		}
		// what parses writes back to an equivalent policy
		var parts []string
		for _, c := range p {
			parts = append(parts, c.String())
		}
		again, err := ParsePolicy(strings.Join(parts, ","))
		if err != nil {
			t.Fatalf("%q parsed, but its rendering %q does not: %v", spec, strings.Join(parts, ","), err)
		}
		if len(again) != len(p) {
			t.Fatalf("%q: %d conditions, rendering has %d", spec, len(p), len(again))
		}
		for i := range p {
			if again[i] != p[i] {
				t.Fatalf("%q: condition %d %+v reads back as %+v", spec, i, p[i], again[i])
			}
		}
		_ = p.Evaluate(r)
	})
}
