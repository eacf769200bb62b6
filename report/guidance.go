package report

import (
	"sort"
	"strings"
)

// GuidanceDisclaimer goes with every rendering of the notification guidance.
const GuidanceDisclaimer = "Guidance, not legal advice: whether a breach must be notified, and to whom, " +
	"depends on the law that applies, the circumstances and the likely harm. Ask your data protection officer or counsel."

// groupOrder is the order groups are listed in: the most harmful first.
var groupOrder = []string{"credentials", "payment", "identity", "location", "contact", "travel", "device"}

// GroupRank orders groups from the most harmful; unknown groups come last.
func GroupRank(group string) int {
	for i, g := range groupOrder {
		if g == group {
			return i
		}
	}
	return len(groupOrder)
}

// Guidance lists, for each group with findings in r, whether a breach
// exposing that data usually has to be notified to the people concerned,
// with the estimated records affected. Credentials, payment data,
// government identifiers and precise location usually do; the rest usually
// do not on their own.
func Guidance(r *Report) []GroupGuidance {
	g := newGuidance()
	for _, t := range r.Targets {
		for i := range t.Containers {
			c := &t.Containers[i]
			var pc PeopleCounter
			if c.People != nil {
				pc, _ = DecodePeople(c.People)
			}
			g.add(c, pc)
		}
	}
	return g.result()
}

// guidance is Guidance one container at a time.
type guidance struct {
	groups   map[string]*guidanceGroup
	theftKit bool
}

type guidanceGroup struct {
	cats       map[string]bool
	containers int
	affected   int64
	people     PeopleCounter
	sampled    bool
}

func newGuidance() guidance { return guidance{groups: map[string]*guidanceGroup{}} }

// add counts a container; pc is its people, decoded.
func (g *guidance) add(c *Container, pc PeopleCounter) {
	perGroup := map[string]int64{}
	seen := map[string]bool{}
	for _, f := range c.Fields {
		for _, x := range f.Findings {
			gr := x.Group
			if gr == "" {
				gr = Categories[x.Category]
			}
			a := g.groups[gr]
			if a == nil {
				a = &guidanceGroup{cats: map[string]bool{}}
				g.groups[gr] = a
			}
			a.cats[x.Category] = true
			seen[gr] = true
			perGroup[gr] = max(perGroup[gr], x.EstimatedAffectedDocuments)
		}
	}
	for gr := range seen {
		a := g.groups[gr]
		a.containers++
		a.affected += perGroup[gr]
		if len(pc) > 0 {
			if a.people == nil {
				a.people = PeopleCounter{}
			}
			a.people.Merge(pc)
			a.sampled = a.sampled || c.People.LowerBound
		}
	}
	for _, k := range c.Combinations {
		if k.ID == "identity_theft_kit" {
			g.theftKit = true
		}
	}
}

func (g *guidance) result() []GroupGuidance {
	var out []GroupGuidance
	for gr, a := range g.groups {
		gg := GroupGuidance{Group: gr, Containers: a.containers, EstimatedAffectedDocuments: a.affected}
		for c := range a.cats {
			gg.Categories = append(gg.Categories, c)
		}
		sort.Strings(gg.Categories)
		gg.UsuallyNotifiable, gg.Reason = groupVerdict(gr, a.cats, g.theftKit)
		gg.People = a.people.People(a.sampled, 0, 0, false)
		out = append(out, gg)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UsuallyNotifiable != out[j].UsuallyNotifiable {
			return out[i].UsuallyNotifiable
		}
		if ri, rj := GroupRank(out[i].Group), GroupRank(out[j].Group); ri != rj {
			return ri < rj
		}
		return out[i].Group < out[j].Group
	})
	return out
}

func groupVerdict(group string, cats map[string]bool, theftKit bool) (bool, string) {
	switch group {
	case "credentials":
		return true, "credentials let others into the people's accounts (and other accounts where passwords are reused); " +
			"people are usually told so they can change them"
	case "payment":
		return true, "payment data enables fraud; people are usually told so they can watch or block their cards and accounts"
	case "identity":
		var ids []string
		for _, c := range []string{"national_id", "passport_number"} {
			if cats[c] {
				ids = append(ids, c)
			}
		}
		if len(ids) > 0 {
			return true, "government identifiers (" + strings.Join(ids, ", ") + ") enable identity theft and cannot be changed"
		}
		if theftKit {
			return true, "names with dates of birth and addresses form an identity theft kit"
		}
		return false, "names and dates of birth alone do not usually make a breach notifiable to individuals, " +
			"but they raise the harm of the data found with them"
	case "location":
		if cats["geo_coordinates"] {
			return true, "precise location reveals where people live, work and go"
		}
		return false, "IP addresses alone give only an approximate location; usually not notifiable to individuals on their own"
	case "contact":
		return false, "contact details alone do not usually make a breach notifiable to individuals, " +
			"but expose them to phishing; the authority may still have to be told"
	case "travel":
		return false, "booking references alone do not usually make a breach notifiable to individuals, " +
			"but may let others view or change a booking"
	case "device":
		return false, "device identifiers alone do not usually make a breach notifiable to individuals, but allow tracking"
	}
	return false, "no guidance for this group"
}
