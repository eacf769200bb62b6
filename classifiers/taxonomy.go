package classifiers

// Groups and categories of ../shared/report-schema.md. The report's
// "category" is a category id below; its "group" is the group the taxonomy
// puts it in.
const (
	GroupContact     = "contact"
	GroupIdentity    = "identity"
	GroupCredentials = "credentials"
	GroupPayment     = "payment"
	GroupLocation    = "location"
	GroupDevice      = "device"
	GroupTravel      = "travel"
)

// Taxonomy maps each category id to its group, in the schema's order.
var Taxonomy = []struct{ Category, Group string }{
	{"email", GroupContact}, {"phone", GroupContact}, {"street_address", GroupContact}, {"postal_code", GroupContact},
	{"person_name", GroupIdentity}, {"date_of_birth", GroupIdentity}, {"national_id", GroupIdentity}, {"passport_number", GroupIdentity},
	{"password", GroupCredentials}, {"password_hash", GroupCredentials}, {"api_secret", GroupCredentials},
	{"credit_card", GroupPayment}, {"card_cvv", GroupPayment}, {"card_expiry", GroupPayment}, {"iban", GroupPayment}, {"bank_account", GroupPayment},
	{"geo_coordinates", GroupLocation}, {"ip_address", GroupLocation},
	{"mac_address", GroupDevice}, {"device_id", GroupDevice},
	{"travel_booking", GroupTravel},
}

var groupOf = func() map[string]string {
	m := make(map[string]string, len(Taxonomy))
	for _, t := range Taxonomy {
		m[t.Category] = t.Group
	}
	return m
}()

// GroupOf returns the group of a category id, or "" for an unknown id.
func GroupOf(category string) string { return groupOf[category] }

// IsGroup reports whether s is a group id.
func IsGroup(s string) bool {
	for _, t := range Taxonomy {
		if t.Group == s {
			return true
		}
	}
	return false
}

// IsCredential reports whether a category is in the credentials group, whose
// values are never shown unmasked.
func IsCredential(category string) bool { return groupOf[category] == GroupCredentials }
