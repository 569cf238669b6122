package userinfov1

import (
	"strconv"
	"strings"
)

// language is the language of error messages.
type language int

// The languages of x-language; English is the default.
const (
	english language = iota
	chinese
)

// tag returns the language's x-language value.
func (l language) tag() string {
	if l == chinese {
		return "zh-CN"
	}
	return "en-US"
}

// parseLanguage picks the language from the x-language header, else from
// Accept-Language, else English. Matching ignores case and region: any "zh"
// tag means Chinese (zh-CN), any "en" tag English (en-US).
func parseLanguage(xLanguage, acceptLanguage string) language {
	if l, ok := matchTag(xLanguage); ok {
		return l
	}
	best, bestQ := english, 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		l, ok := matchTag(tag)
		if !ok {
			continue
		}
		q := 1.0
		if name, value, found := strings.Cut(strings.TrimSpace(params), "="); found && strings.EqualFold(strings.TrimSpace(name), "q") {
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			q = v
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// matchTag maps one language tag such as "zh-CN", "zh" or "en-GB".
func matchTag(tag string) (language, bool) {
	primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	switch strings.ToLower(primary) {
	case "zh":
		return chinese, true
	case "en":
		return english, true
	}
	return english, false
}
