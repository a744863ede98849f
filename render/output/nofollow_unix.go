//go:build unix

package output

import "syscall"

// noFollow makes an open refuse a symbolic link as the last element.
const noFollow = syscall.O_NOFOLLOW
