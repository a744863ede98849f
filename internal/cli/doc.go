// Package cli is tpgen's command line: one file per verb, and the only
// package that imports cobra. Each command validates its flags, builds the
// options of one library call (render/...), runs it with the command's
// writers, and maps its error to an exit code. Errors are printed in one
// place, Run.
//
// Exit codes: 0 ok, 1 error, 2 usage, 3 drift found.
package cli
