//go:build !unix

package output

// noFollow is 0 where open has no such flag: the caller checks that what
// it opened is a regular file.
const noFollow = 0
