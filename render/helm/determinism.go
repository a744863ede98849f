package helm

// refused are the template functions whose output changes from run to run:
// time, randomness, fresh keys and salts. Rendering the same inputs twice must
// give the same bytes, so a chart whose templates call one while rendering
// is refused (runtime.go). A call in a branch the values do not take is
// not: charts generate a password or certificate only when no existing
// Secret is named, and the refusal says which values decide (explain.go).
var refused = map[string]string{
	"now":                      "pass a fixed date in values",
	"ago":                      "pass a fixed duration in values",
	"randAlphaNum":             "take the value from values or a Secret reference",
	"randAlpha":                "take the value from values or a Secret reference",
	"randNumeric":              "take the value from values or a Secret reference",
	"randAscii":                "take the value from values or a Secret reference",
	"randBytes":                "take the value from values or a Secret reference",
	"randInt":                  "take the value from values",
	"uuidv4":                   "take the value from values",
	"shuffle":                  "sort instead",
	"genPrivateKey":            "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genCA":                    "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genCAWithKey":             "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSelfSignedCert":        "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSelfSignedCertWithKey": "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSignedCert":            "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSignedCertWithKey":     "reference a Secret made outside the chart (e.g. by cert-manager)",
	"htpasswd":                 "reference a Secret made outside the chart",
	"bcrypt":                   "reference a Secret made outside the chart",
	"encryptAES":               "reference a Secret made outside the chart",
}
