package kernel

import (
	"sync"

	"golang.org/x/sys/unix"
)

// tristate is an answer about the kernel that may not have been asked
// yet.
type tristate int8

const (
	unknown tristate = iota
	no
	yes
)

func boolState(b bool) tristate {
	if b {
		return yes
	}
	return no
}

// A feature is something the running kernel may or may not offer.
type feature uint8

const (
	featSeccomp      feature = iota // the seccomp(2) system call
	featTSync                       // SECCOMP_FILTER_FLAG_TSYNC
	featLogFlag                     // SECCOMP_FILTER_FLAG_LOG
	featLogAction                   // SECCOMP_RET_LOG
	featKillProcess                 // SECCOMP_RET_KILL_PROCESS
	featSpecAllow                   // SECCOMP_FILTER_FLAG_SPEC_ALLOW
	featNewListener                 // SECCOMP_FILTER_FLAG_NEW_LISTENER
	featUserNotif                   // SECCOMP_RET_USER_NOTIF
	featTSyncESRCH                  // SECCOMP_FILTER_FLAG_TSYNC_ESRCH
	featWaitKillable                // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
	numFeatures

	noFeature = numFeatures // a feature that needs no other
)

// featureKind says what a feature is and so how it is probed.
type featureKind uint8

const (
	// kindSyscall: seccomp(SECCOMP_SET_MODE_STRICT) with a non-zero flags
	// argument is invalid, so a kernel with seccomp(2) answers EINVAL and
	// one without it ENOSYS.
	kindSyscall featureKind = iota
	// kindFlag: seccomp(SECCOMP_SET_MODE_FILTER) with the flag and no
	// program gets as far as reading the program, and fails with EFAULT,
	// only when the kernel accepts the flags.
	kindFlag
	// kindAction: the kernel knows the action when
	// SECCOMP_GET_ACTION_AVAIL succeeds for it.
	kindAction
	// kindNotifSizes: user notification works when the kernel reports
	// its structure sizes (SECCOMP_GET_NOTIF_SIZES).
	kindNotifSizes
)

// featureSpec describes one feature.
type featureSpec struct {
	kind featureKind
	// flag is the filter flag of a kindFlag feature, and action the
	// return value of a kindAction or kindNotifSizes feature.
	flag   uint
	action uint32
	// needs is the feature without which this one is taken to be missing,
	// unprobed: the flags and actions need seccomp(2), and the kernel
	// takes WAIT_KILLABLE_RECV only together with NEW_LISTENER.
	needs feature
	// probeWith are flags the probe of a kindFlag feature passes along
	// with flag.
	probeWith uint
}

// features says how each feature is recognised.
var features = [numFeatures]featureSpec{
	featSeccomp:      {kind: kindSyscall, needs: noFeature},
	featTSync:        {kind: kindFlag, flag: FlagTSync, needs: featSeccomp},
	featLogFlag:      {kind: kindFlag, flag: FlagLog, needs: featSeccomp},
	featLogAction:    {kind: kindAction, action: RetLog, needs: featSeccomp},
	featKillProcess:  {kind: kindAction, action: RetKillProcess, needs: featSeccomp},
	featSpecAllow:    {kind: kindFlag, flag: FlagSpecAllow, needs: featSeccomp},
	featNewListener:  {kind: kindFlag, flag: FlagNewListener, needs: featSeccomp},
	featUserNotif:    {kind: kindNotifSizes, action: RetUserNotif, needs: featSeccomp},
	featTSyncESRCH:   {kind: kindFlag, flag: FlagTSyncESRCH, needs: featSeccomp},
	featWaitKillable: {kind: kindFlag, flag: FlagWaitKillableRecv, needs: featNewListener, probeWith: FlagNewListener},
}

// ask puts the question of spec to the kernel.
func (spec featureSpec) ask() bool {
	switch spec.kind {
	case kindSyscall:
		_, err := seccomp(opSetModeStrict, 1, nil)
		return err == unix.EINVAL
	case kindFlag:
		_, err := seccomp(opSetModeFilter, uintptr(spec.flag|spec.probeWith), nil)
		return err == unix.EFAULT
	case kindAction:
		return ActionAvailable(spec.action)
	case kindNotifSizes:
		_, err := GetNotifSizes()
		return err == nil
	}
	return false
}

// flagFeature returns the feature of a single filter flag.
func flagFeature(flag uint) (feature, bool) {
	for f, spec := range features {
		if spec.kind == kindFlag && spec.flag == flag {
			return feature(f), true
		}
	}
	return noFeature, false
}

// apiLevels lists, for each API level of seccomp_api_get(3) above 1,
// the features it adds to the level below. A kernel is at the highest
// level whose features, and those of every level below, it has.
var apiLevels = [...][]feature{
	2: {featSeccomp, featTSync},
	3: {featLogFlag, featLogAction, featKillProcess},
	4: {featSpecAllow},
	5: {featNewListener, featUserNotif},
	6: {featTSyncESRCH},
	7: {featWaitKillable},
}

// maxAPILevel is the highest API level this package knows.
const maxAPILevel = uint(len(apiLevels) - 1)

// dataRule says which data part a filter action accepts.
type dataRule uint8

const (
	noData    dataRule = iota // the data must be zero
	errnoData                 // an errno below MaxErrno
	anyData                   // anything
)

// actions lists every filter action a program may return, the data it
// takes and the feature it needs (noFeature: every kernel with seccomp
// filters has it).
var actions = []struct {
	action uint32
	data   dataRule
	needs  feature
}{
	{RetKillProcess, noData, featKillProcess},
	{RetKillThread, noData, noFeature},
	{RetTrap, noData, noFeature},
	{RetErrno, errnoData, noFeature},
	{RetUserNotif, noData, featUserNotif},
	{RetTrace, anyData, noFeature},
	{RetLog, noData, featLogAction},
	{RetAllow, noData, noFeature},
}

// support is what the process knows of the kernel, probed or forced
// with [SetAPILevel], together with the process-wide listener.
type support struct {
	feature  [numFeatures]tristate
	apiLevel uint // 0 until detected or forced
	notifyFd int
}

var (
	mu    sync.Mutex
	state = support{notifyFd: -1}
)

// has reports whether the kernel has f, probing it, and first what it
// needs, the first time. mu must be held.
func (s *support) has(f feature) bool {
	if s.feature[f] == unknown {
		spec := features[f]
		ok := spec.needs == noFeature || s.has(spec.needs)
		s.feature[f] = boolState(ok && spec.ask())
	}
	return s.feature[f] == yes
}

// knownToHave reports whether f was found or forced to be there,
// without probing it. mu must be held.
func (s *support) knownToHave(f feature) bool {
	return s.feature[f] == yes
}

// level returns the API level, detecting it the first time. mu must be
// held.
func (s *support) level() uint {
	if s.apiLevel == 0 {
		s.apiLevel = s.detectLevel()
	}
	return s.apiLevel
}

// detectLevel finds the API level of the kernel. Features are probed
// level by level, and the first one missing ends the search: features of
// higher levels stay unprobed (and so unknown to [Options.Flags]).
func (s *support) detectLevel() uint {
	reached := uint(1)
	for level := uint(2); level <= maxAPILevel; level++ {
		for _, f := range apiLevels[level] {
			if !s.has(f) {
				return reached
			}
		}
		reached = level
	}
	return reached
}

// actionOK reports whether a program may return ret. mu must be held.
func (s *support) actionOK(ret uint32) bool {
	data := ret & RetData
	for _, a := range actions {
		if ret&RetActionFull != a.action {
			continue
		}
		switch a.data {
		case noData:
			if data != 0 {
				return false
			}
		case errnoData:
			if data >= MaxErrno {
				return false
			}
		}
		return a.needs == noFeature || s.has(a.needs)
	}
	return false
}

// FlagSupported reports whether the filter flag can be used: probed on
// the kernel the first time and remembered, or as implied by the level
// forced with [SetAPILevel]. Anything but one of the Flag constants
// gives EOPNOTSUPP.
func FlagSupported(flag uint) (bool, error) {
	f, ok := flagFeature(flag)
	if !ok {
		return false, unix.EOPNOTSUPP
	}
	mu.Lock()
	defer mu.Unlock()
	return state.has(f), nil
}

// ActionSupported reports whether a filter may return ret: KILL_PROCESS,
// LOG and USER_NOTIF when the kernel has them (probed once, or as implied
// by the level forced with [SetAPILevel]); KILL_THREAD, TRAP, TRACE and
// ALLOW always; ERRNO with data below [MaxErrno]. Only ERRNO and TRACE
// take data; anything else is refused.
func ActionSupported(ret uint32) bool {
	mu.Lock()
	defer mu.Unlock()
	return state.actionOK(ret)
}

// SyscallSupported reports whether the kernel has seccomp(2).
func SyscallSupported() bool {
	mu.Lock()
	defer mu.Unlock()
	return state.has(featSeccomp)
}

// APILevel returns libseccomp's API level for the running kernel, 1 to 7,
// detected on first use and cached (or the level set with [SetAPILevel]):
//
//	1  seccomp filters through prctl only
//	2  seccomp(2) with SECCOMP_FILTER_FLAG_TSYNC
//	3  SECCOMP_FILTER_FLAG_LOG, SECCOMP_RET_LOG, SECCOMP_RET_KILL_PROCESS
//	4  SECCOMP_FILTER_FLAG_SPEC_ALLOW
//	5  SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_RET_USER_NOTIF
//	6  SECCOMP_FILTER_FLAG_TSYNC_ESRCH
//	7  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
//
// Each level needs the features of the levels below it too. Detection
// probes the features of each level in turn and stops at the first one
// missing; the answers are remembered.
func APILevel() uint {
	mu.Lock()
	defer mu.Unlock()
	return state.level()
}

// DetectAPILevel probes the kernel afresh and returns its API level,
// without using or changing the cached level and support flags (so
// without undoing [SetAPILevel]).
func DetectAPILevel() uint {
	mu.Lock()
	defer mu.Unlock()
	var fresh support
	return fresh.level()
}

// SetAPILevel forces the API level, and with it the support of every flag
// and probed action, to what level implies, whatever the kernel offers; a
// level outside 1..7 gives EINVAL. Its use is discouraged outside tests.
func SetAPILevel(level uint) error {
	if level < 1 || level > maxAPILevel {
		return unix.EINVAL
	}
	mu.Lock()
	defer mu.Unlock()
	for l, added := range apiLevels {
		for _, f := range added {
			state.feature[f] = boolState(level >= uint(l))
		}
	}
	state.apiLevel = level
	return nil
}

// resetForTest forgets every probe, the API level and the listener.
func resetForTest() {
	mu.Lock()
	defer mu.Unlock()
	fd := state.notifyFd
	state = support{notifyFd: -1}
	if fd >= 0 {
		unix.Close(fd)
	}
}
