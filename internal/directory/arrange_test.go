package directory

import (
	"slices"
	"testing"
)

func TestArrange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order []int
	}{
		{"as found", []int{0, 1, 2, 3, 4}},
		{"reversed", []int{4, 3, 2, 1, 0}},
		{"one cycle", []int{1, 2, 3, 4, 0}},
		{"two cycles", []int{1, 0, 3, 4, 2}},
		{"some left out", []int{3, 0}},
		{"none", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			found := make([]User, 5)
			for i := range found {
				found[i] = User{ID: int64(10 + i), Name: string(rune('a' + i))}
			}
			want := make([]int64, len(tc.order))
			for k, i := range tc.order {
				want[k] = found[i].ID
			}
			arrange(found, tc.order)
			got := make([]int64, len(found))
			for i, u := range found {
				got[i] = u.ID
				if u.Name != string(rune('a'+u.ID-10)) {
					t.Errorf("user %d came apart: name %q", u.ID, u.Name)
				}
			}
			if !slices.Equal(got[:len(want)], want) {
				t.Errorf("got ids %v, want them to start %v", got, want)
			}
			slices.Sort(got)
			if !slices.Equal(got, []int64{10, 11, 12, 13, 14}) {
				t.Errorf("got ids %v, want each user once", got)
			}
		})
	}
}
