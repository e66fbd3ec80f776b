package seccomp

import "fmt"

// release is a libseccomp version, major.minor.micro.
type release struct{ major, minor, micro uint }

// implemented is the libseccomp release whose API, error codes and filter
// semantics this package reproduces. GetLibraryVersion reports it, so that
// programs that enable features by checking the libseccomp version (for
// example "2.5.0 or later for user notification") behave as they would
// with that release.
var implemented = release{2, 6, 1}

// String returns r as major.minor.micro.
func (r release) String() string {
	return fmt.Sprintf("%d.%d.%d", r.major, r.minor, r.micro)
}

// atLeast reports whether r is min or a later release.
func (r release) atLeast(min release) bool {
	have := [...]uint{r.major, r.minor, r.micro}
	want := [...]uint{min.major, min.minor, min.micro}
	for i := range have {
		if have[i] != want[i] {
			return have[i] > want[i]
		}
	}
	return true
}

// Version is the version of this package (the Go module
// github.com/seccomp-go/seccomp). It is independent of the libseccomp
// version that [GetLibraryVersion] reports.
const Version = "0.1.0"

// VersionError reports that the library or the kernel (its API level) is
// too old for the requested operation. With this package the library part
// is always recent enough; the error comes from the kernel's API level.
type VersionError struct {
	op                  string // what was asked for
	major, minor, micro uint   // the libseccomp release it needs
	curAPI, minAPI      uint   // the kernel's API level and the one it needs (0: none)
}

// Error returns the message libseccomp-golang gives for the same failure:
// the release needed, the API level needed when there is one, and the
// current values of both.
func (e VersionError) Error() string {
	needed := release{e.major, e.minor, e.micro}.String()
	current := implemented.String()
	if e.minAPI != 0 {
		needed += fmt.Sprintf(" and API level >= %d", e.minAPI)
		current += fmt.Sprintf(", API level: %d", e.curAPI)
	}
	return e.op + " requires libseccomp >= " + needed + " (current version: " + current + ")"
}

// GetLibraryVersion returns the version of libseccomp this package
// implements, as major.minor.micro: 2.6.1. The package's own version is
// [Version].
func GetLibraryVersion() (major, minor, micro uint) {
	r := implemented
	return r.major, r.minor, r.micro
}

// requirement is what an operation op needs: a libseccomp release and,
// unless apiLevel is 0, a kernel API level.
type requirement struct {
	op       string
	since    release
	apiLevel uint
}

// check returns a *VersionError when the API level, tested first, or the
// implemented release falls short of r, and nil otherwise.
func (r requirement) check() error {
	var cur uint
	if r.apiLevel != 0 {
		cur = apiLevel()
	}
	switch {
	case cur < r.apiLevel:
		e := r.unmet()
		e.curAPI, e.minAPI = cur, r.apiLevel
		return e
	case !implemented.atLeast(r.since):
		return r.unmet()
	}
	return nil
}

// unmet returns the error for r without the API level part.
func (r requirement) unmet() *VersionError {
	return &VersionError{op: r.op, major: r.since.major, minor: r.since.minor, micro: r.since.micro}
}

// checkVersion fails with a *VersionError when the implemented libseccomp
// version is older than major.minor.micro.
func checkVersion(op string, major, minor, micro uint) error {
	return requirement{op: op, since: release{major, minor, micro}}.check()
}

// checkAPI fails with a *VersionError when the API level is below
// minLevel or the version below major.minor.micro; the API level is
// tested first.
func checkAPI(op string, minLevel uint, major, minor, micro uint) error {
	return requirement{op: op, since: release{major, minor, micro}, apiLevel: minLevel}.check()
}
