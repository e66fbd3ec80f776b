package seccomp

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"testing"
)

// TestAttrVersionErrors checks, at API levels 2 to 7 forced in a child
// (the level is process-wide), that a failing getter or setter of an
// attribute libseccomp added later reports the unmet API level instead of
// its own error, and keeps its own error once the level is reached. The
// difftest module compares the same calls with libseccomp-golang for the
// attributes libseccomp 2.5.4 has; WaitKill, new in 2.6.0, is checked
// only here.
func TestAttrVersionErrors(t *testing.T) {
	requireLive(t)
	type call struct {
		name  string
		level uint // the API level it needs
		since string
		run   func(f *ScmpFilter) error
	}
	calls := []call{
		{"GetLogBit", 3, "2.4.0", func(f *ScmpFilter) error { _, err := f.GetLogBit(); return err }},
		{"SetLogBit", 3, "2.4.0", func(f *ScmpFilter) error { return f.SetLogBit(true) }},
		{"GetOptimize", 4, "2.5.0", func(f *ScmpFilter) error { _, err := f.GetOptimize(); return err }},
		{"SetOptimize", 4, "2.5.0", func(f *ScmpFilter) error { return f.SetOptimize(2) }},
		{"GetWaitKill", 7, "2.6.0", func(f *ScmpFilter) error { _, err := f.GetWaitKill(); return err }},
		{"SetWaitKill", 7, "2.6.0", func(f *ScmpFilter) error { return f.SetWaitKill(true) }},
		{"GetNoNewPrivsBit", 0, "", func(f *ScmpFilter) error { _, err := f.GetNoNewPrivsBit(); return err }},
	}
	if inLiveChild(t) {
		for l := uint(2); l <= 7; l++ {
			if err := SetAPI(l); err != nil {
				childFail("SetAPI(%d): %v", l, err)
			}
			f, err := NewFilter(ActAllow)
			if err != nil {
				childFail("NewFilter: %v", err)
			}
			f.Release()
			for _, c := range calls {
				report(fmt.Sprintf("%s@%d", c.name, l), c.run(f))
			}
			// a valid filter with a level libseccomp refuses
			g, err := NewFilter(ActAllow)
			if err != nil {
				childFail("NewFilter: %v", err)
			}
			err = g.SetOptimize(3)
			var ve *VersionError
			report(fmt.Sprintf("SetOptimize3@%d", l), fmt.Sprintf("%v %v", errors.Is(err, syscall.EOPNOTSUPP), errors.As(err, &ve)))
			g.Release()
		}
		childDone()
	}
	r := runLiveChild(t)
	want := map[string]string{}
	for l := uint(2); l <= 7; l++ {
		for _, c := range calls {
			msg := errBadFilter.Error()
			if l < c.level {
				msg = fmt.Sprintf("%s requires libseccomp >= %s and API level >= %d (current version: 2.6.1, API level: %d)",
					c.name, c.since, c.level, l)
			}
			want[fmt.Sprintf("%s@%d", c.name, l)] = msg
		}
		// below level 4 the version error replaces EOPNOTSUPP
		want["SetOptimize3@"+strconv.Itoa(int(l))] = fmt.Sprintf("%v %v", l >= 4, l < 4)
	}
	checkReports(t, r, want)
}
