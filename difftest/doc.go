// Package difftest compares seccomp-go with the real libseccomp.
package difftest
