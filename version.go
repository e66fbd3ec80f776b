package seccomp

import "fmt"

// The libseccomp release whose API, error codes and filter semantics this
// package reproduces. GetLibraryVersion reports it, so that programs that
// enable features by checking the libseccomp version (for example "2.5.0
// or later for user notification") behave as they would with that
// release.
const (
	verMajor uint = 2
	verMinor uint = 6
	verMicro uint = 1
)

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
	curAPI, minAPI      uint   // the kernel's API level and the one it needs
}

// Error returns the message libseccomp-golang gives for the same failure.
func (e VersionError) Error() string {
	if e.minAPI != 0 {
		return fmt.Sprintf("%s requires libseccomp >= %d.%d.%d and API level >= %d "+
			"(current version: %d.%d.%d, API level: %d)",
			e.op, e.major, e.minor, e.micro, e.minAPI,
			verMajor, verMinor, verMicro, e.curAPI)
	}
	return fmt.Sprintf("%s requires libseccomp >= %d.%d.%d (current version: %d.%d.%d)",
		e.op, e.major, e.minor, e.micro, verMajor, verMinor, verMicro)
}

// GetLibraryVersion returns the version of libseccomp this package
// implements, as major.minor.micro: 2.6.1. The package's own version is
// [Version].
func GetLibraryVersion() (major, minor, micro uint) {
	return verMajor, verMinor, verMicro
}

// checkVersion fails with a *VersionError when the implemented libseccomp
// version is older than major.minor.micro.
func checkVersion(op string, major, minor, micro uint) error {
	if verMajor > major ||
		(verMajor == major && verMinor > minor) ||
		(verMajor == major && verMinor == minor && verMicro >= micro) {
		return nil
	}
	return &VersionError{op: op, major: major, minor: minor, micro: micro}
}

// checkAPI fails with a *VersionError when the API level is below
// minLevel or the version below major.minor.micro, as libseccomp-golang's
// checkAPI.
func checkAPI(op string, minLevel uint, major, minor, micro uint) error {
	level := apiLevel()
	if level >= minLevel {
		return checkVersion(op, major, minor, micro)
	}
	return &VersionError{
		op:     op,
		curAPI: level,
		minAPI: minLevel,
		major:  major,
		minor:  minor,
		micro:  micro,
	}
}
