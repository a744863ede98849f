package profile

import (
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := Discover([]string{"/tmp/t2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		site, err := l.Load(s)
		fmt.Println(s.File, err)
		if site != nil {
			fmt.Println(site.Profile)
		}
	}
}
