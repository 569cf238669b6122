package directory

// UserSort orders the users of a QueryUsers page (RFC 7644 §3.4.2.3): by
// Field, users without a value last (first when Descending), ties by id in
// the same direction. The zero UserSort is id order.
type UserSort struct {
	// Field is the attribute sorted by; 0 is the id. Text fields compare
	// by code point, the fields marked "ignoring case" lowercased.
	Field      UserField
	Descending bool
}

// MaxSortRows bounds sorting by a field no index orders: such a page sorts
// every match, so QueryUsers refuses it (Invalid, field "sortBy") when the
// query matches more users than this. The id and the username are ordered
// by an index on every engine, so a page sorted by them reads only its
// own rows (and the offset before it) whatever the tenant's size.
const MaxSortRows = 10000

// Indexed reports whether every store reads users in this order from an
// index, without sorting the matches.
func (s UserSort) Indexed() bool {
	return s.Field == 0 || s.Field == FieldID || s.Field == FieldUsername
}

// checkSort checks that s names a field users can be sorted by: any a
// query compares except org membership.
func checkSort(s UserSort) error {
	if s.Field == 0 || s.Field >= FieldID && s.Field <= FieldOrganization && s.Field != FieldOrg {
		return nil
	}
	return Errorf(Invalid, "sortBy", "is not an attribute users can be sorted by")
}
