package seccomp

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/seccomp-go/seccomp/internal/kernel"
)

// GetAPI returns the API level the running kernel supports, as
// seccomp_api_get(3) defines it:
//
//	1  filters through prctl(2) only
//	2  seccomp(2) with the TSYNC flag (kernel 3.17)
//	3  the LOG flag, ActLog and ActKillProcess (4.14)
//	4  the SPEC_ALLOW flag (4.17)
//	5  user notification: ActNotify and the NEW_LISTENER flag (5.0)
//	6  the TSYNC_ESRCH flag (5.7)
//	7  the WAIT_KILLABLE_RECV flag (5.19)
//
// The level is detected once, with the same probes as libseccomp, and
// cached for the life of the process; [SetAPI] overrides it. The error is
// always nil: unlike the C library binding, detection can't be missing.
func GetAPI() (uint, error) {
	return apiLevel(), nil
}

// SetAPI forces the API level to api, and with it which flags and
// actions are treated as available, whatever the kernel offers. Its
// general use is strongly discouraged; it exists to test behaviour on
// older kernels. A level outside 1 to 7 is refused with an error wrapping
// syscall.EINVAL.
func SetAPI(api uint) error {
	if err := kernel.SetAPILevel(api); err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) && errno == syscall.EOPNOTSUPP {
			return errors.New("API level operations are not supported")
		}
		return fmt.Errorf("could not set API level: %w", err)
	}
	return nil
}

// apiLevel returns the API level, detecting it on first use. NewFilter
// calls it so that detection happens before any rule is checked, as
// seccomp_init(3) does.
func apiLevel() uint {
	return kernel.APILevel()
}
