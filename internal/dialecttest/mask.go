package dialecttest

import (
	"regexp"
	"time"
)

// MaskTimes returns a mask for Golden that replaces each time matched by
// group 1 of re with placeholder, but only when the time parses with layout
// in loc and lies within a minute of now: a time in another format or zone
// is left in the body, so it shows up in the diff.
func MaskTimes(re *regexp.Regexp, layout string, loc *time.Location, placeholder string) func(string) string {
	return func(body string) string {
		return re.ReplaceAllStringFunc(body, func(match string) string {
			sub := re.FindStringSubmatchIndex(match)
			value := match[sub[2]:sub[3]]
			tm, err := time.ParseInLocation(layout, value, loc)
			if err != nil || time.Since(tm).Abs() > time.Minute {
				return match
			}
			return match[:sub[2]] + placeholder + match[sub[3]:]
		})
	}
}
