//go:build !unix

package module

import "errors"

func mkfifo(string) error { return errors.New("no named pipes here") }
