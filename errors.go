package seccomp

import (
	"errors"
	"syscall"
)

// Errors with libseccomp-golang's messages. Failures that libseccomp
// reports with an errno code are returned as that syscall.Errno (for
// example syscall.EEXIST when a rule conflicts with an existing one),
// except where libseccomp-golang turns them into one of these.
var (
	// errBadFilter is returned for a released or merged filter.
	errBadFilter = errors.New("filter is invalid or uninitialized")
	// errDefAction is returned for a rule whose action is the default
	// action of the filter.
	errDefAction = errors.New("requested action matches default action of filter")
)

// ErrRuleIgnored is returned, in strict mode (see
// [ScmpFilter.SetStrictRules]), for a rule that libseccomp would accept
// without effect because existing rules already decide every syscall it
// covers. The rule is not added.
var ErrRuleIgnored = errors.New("rule has no effect: existing rules already decide it")

// errRc returns err as libseccomp-golang returns an errno code: the
// syscall.Errno itself.
func errRc(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}
