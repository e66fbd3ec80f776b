package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/oci"
	"github.com/seccomp-go/seccomp/sandbox"
)

var learnCommand = &command{
	name:    "learn",
	summary: "run a command and write the profile it needs",
	usage: `learn [-o FILE] [--format oci|docker|spo] [--base PROFILE] [--args] [--] CMD [ARG...]

Runs CMD, and every process and thread it starts, under a recording
filter: each system call is passed to scmp by user notification
(SECCOMP_RET_USER_NOTIF), noted, and let run (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
No root, ptrace or eBPF is needed: no_new_privs is set for CMD. When CMD
and all its descendants have exited, scmp writes an allow-list profile of
the system calls they made, on each architecture they used, whose default
action refuses everything else with EPERM.

CMD's input, output, exit status and signals are as under "scmp run". The
profile goes to FILE, "-" for standard output after CMD's own output.

With --base, CMD runs under PROFILE, whose refusals stay refusals; the
calls PROFILE lets run are recorded, and the written profile keeps
PROFILE's entries that refuse, and those that allow what was used, as
they are (conditions included). With --args, system calls whose arguments
are flags or small enums (clone, personality, socket, prctl, fcntl, ...)
are allowed only with the values seen.`,
	run: runLearn,
}

// Output formats of "scmp learn".
const (
	formatOCI    = "oci"
	formatDocker = "docker"
	formatSPO    = "spo"
)

func runLearn(e *env, args []string) int {
	fs := newFlagSet(e)
	out := fs.String("o", "", "write the profile to `FILE` (\"-\" for standard output; default seccomp.json,\nor seccomp.yaml for --format spo)")
	format := fs.String("format", formatOCI, "the profile's `FORMAT`: oci (runtime-spec's LinuxSeccomp), docker (the same with an\narchMap) or spo (a Security Profiles Operator SeccompProfile, YAML)")
	base := fs.String("base", "", "record under `PROFILE` (OCI, Docker, Podman or SeccompProfile; docker-default for the\nbuilt-in one) and keep its refusals and, for what was used, its entries")
	withArgs := fs.Bool("args", false, "allow flag and enum arguments only with the values seen")
	name := fs.String("name", "", "the metadata.name of a --format spo resource (default: the command's name)")
	po := &profileOptions{noNewPrivs: true, stderr: func(m string) { e.warnf("%s", m) }}
	fs.StringVar(&po.caps, "caps", defaultCaps, "with --base: "+capsUsage)
	fs.StringVar(&po.kernel, "kernel", "", "with --base: "+kernelUsage)
	pos, st := parse(e, fs, args, true)
	if st >= 0 {
		if st == exitUsage {
			return exitRunFailed
		}
		return st
	}
	fail := func(format string, args ...any) int {
		e.errorf(format, args...)
		return exitRunFailed
	}
	if len(pos) == 0 {
		e.usageErrorf("no command given; usage: scmp learn [-o FILE] -- CMD [ARG...]")
		return exitRunFailed
	}
	switch *format {
	case formatOCI, formatDocker, formatSPO:
	default:
		e.usageErrorf("--format %q: want oci, docker or spo", *format)
		return exitRunFailed
	}
	if *out == "" {
		*out = "seccomp.json"
		if *format == formatSPO {
			*out = "seccomp.yaml"
		}
	}
	if err := po.check(); err != nil {
		e.usageErrorf("%v", err)
		return exitRunFailed
	}
	nat, err := nativeTarget()
	if err != nil {
		return fail("%v", err)
	}
	arches := recordingArches(nat.scmp)
	opts, strictErr, err := po.options(nil)
	if err != nil {
		return fail("%v", err)
	}
	opts.Arches = arches
	var baseSpec *specs.LinuxSeccomp
	recordSpec := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
	if *base != "" {
		data, err := readProfile(e, *base)
		if err != nil {
			return fail("%v", err)
		}
		if baseSpec, _, err = oci.Parse(data, opts); err == nil {
			err = strictErr()
		}
		if err != nil {
			return fail("--base %s: %v", *base, explain(err))
		}
		recordSpec = baseSpec
	}
	f, err := oci.RecordingFilter(recordSpec, opts)
	if err != nil {
		if *base == "" {
			return fail("building the recording filter: %v", err)
		}
		return fail("--base %s: %v", *base, explain(err))
	}
	defer f.Release()

	if *format == formatSPO {
		// The name is checked before the command runs.
		if _, err := oci.MarshalSeccompProfile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow}, specName(*name, pos[0])); err != nil {
			e.usageErrorf("--name: %v", err)
			return exitRunFailed
		}
	}
	var dst *output
	if *out != "-" {
		if dst, err = createOutput(*out); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fail("-o %s: cannot write there: %v", *out, err)
		}
		defer dst.discard()
	}

	cmd := sandbox.Command(f, pos[0], pos[1:]...)
	cmd.Stdin = e.stdin
	cmd.Stdout = e.stdout
	cmd.Stderr = e.stderr
	rec := newRecorder(*withArgs)
	status, err := rec.run(e, cmd, pos[0])
	if errors.Is(err, errNotStarted) {
		return status // reported by run
	}
	if err != nil {
		return fail("%v", err)
	}
	if err := rec.failure(); err != nil {
		// The command was killed: what it did is not all known.
		return fail("%v; no profile written", err)
	}
	if err := rec.unnamedErr(); err != nil {
		e.warnf("%v", err)
	}
	p := rec.profile(nat.scmp, baseSpec)
	data, err := marshalProfile(p, *format, specName(*name, pos[0]))
	if err != nil {
		return fail("%v", err)
	}
	if *out == "-" {
		_, err = e.stdout.Write(data)
	} else {
		err = dst.commit(data)
	}
	if err != nil {
		return fail("writing the profile: %v", err)
	}
	return status
}

// output is the file a profile is written to. A new file or a regular
// one is written as a temporary file beside it, made before the command
// runs so that an unwritable place is found out first, and renamed over
// it when the profile is complete. Anything else (a device such as
// /dev/null, a pipe, a symbolic link) is opened before the command runs
// and written in place.
type output struct {
	f       *os.File
	path    string
	inPlace bool
}

func createOutput(path string) (*output, error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &output{f: f, path: path, inPlace: true}, nil
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*")
	if err != nil {
		return nil, err
	}
	return &output{f: f, path: path}, nil
}

// commit writes data and puts the file in place.
func (o *output) commit(data []byte) error {
	if o.inPlace {
		if fi, err := o.f.Stat(); err == nil && fi.Mode().IsRegular() {
			o.f.Truncate(0) // a link to a regular file
		}
		_, err := o.f.Write(data)
		if cerr := o.f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	_, err := o.f.Write(data)
	if err == nil {
		err = o.f.Chmod(0o644)
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.f.Name(), o.path)
	}
	if err != nil {
		os.Remove(o.f.Name())
	}
	return err
}

// discard closes the file and removes the temporary one, if it is still
// there.
func (o *output) discard() {
	if o == nil {
		return
	}
	o.f.Close()
	if !o.inPlace {
		os.Remove(o.f.Name())
	}
}

// recordingArches returns the architectures the recording filter covers
// on a machine of architecture nat: nat and those whose programs its
// kernel also runs, so that a 32-bit program's calls are recorded (on
// its own architecture) instead of being killed as a foreign ABI.
func recordingArches(nat seccomp.ScmpArch) []seccomp.ScmpArch {
	switch nat {
	case seccomp.ArchAMD64:
		return []seccomp.ScmpArch{nat, seccomp.ArchX86, seccomp.ArchX32}
	case seccomp.ArchARM64:
		return []seccomp.ScmpArch{nat, seccomp.ArchARM}
	case seccomp.ArchS390X:
		return []seccomp.ScmpArch{nat, seccomp.ArchS390}
	case seccomp.ArchMIPS64:
		return []seccomp.ScmpArch{nat, seccomp.ArchMIPS64N32, seccomp.ArchMIPS}
	case seccomp.ArchMIPSEL64:
		return []seccomp.ScmpArch{nat, seccomp.ArchMIPSEL64N32, seccomp.ArchMIPSEL}
	case seccomp.ArchPPC64:
		return []seccomp.ScmpArch{nat, seccomp.ArchPPC}
	}
	return []seccomp.ScmpArch{nat}
}

// specName returns the metadata.name of a SeccompProfile: name, or one
// made of the command's base name, as Kubernetes names go (lower case
// letters, digits and '-').
func specName(name, cmd string) string {
	if name != "" {
		return name
	}
	if i := strings.LastIndexByte(cmd, '/'); i >= 0 {
		cmd = cmd[i+1:]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(cmd) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		s = "learned"
	}
	return s
}

// argRecorded lists, for the system calls --args restricts, the argument
// that is a flag word or a small enum. On s390 and s390x clone takes the
// stack first and the flags second.
var argRecorded = map[string]uint{
	"clone":          0,
	"personality":    0,
	"socket":         0,
	"socketpair":     0,
	"prctl":          0,
	"arch_prctl":     0,
	"fcntl":          1,
	"fcntl64":        1,
	"madvise":        2,
	"rt_sigprocmask": 0,
	"sigprocmask":    0,
	"flock":          1,
}

// argIndex returns the recorded argument of name on a, if any.
func argIndex(name string, a seccomp.ScmpArch) (uint, bool) {
	i, ok := argRecorded[name]
	if ok && name == "clone" && (a == seccomp.ArchS390 || a == seccomp.ArchS390X) {
		i = 1
	}
	return i, ok
}

// maxArgValues is the most values recorded for one argument: past it the
// system call is allowed with any.
const maxArgValues = 16

// usage is what was seen of one system call on one architecture.
type usage struct {
	values map[uint64]bool // of the recorded argument, with --args
	any    bool            // more than maxArgValues values
}

// callKey names a system call on an architecture.
type callKey struct {
	arch seccomp.ScmpArch
	nr   int32
}

// recorder serves the notifications of a recording filter.
type recorder struct {
	withArgs   bool
	syncWakeUp bool // the listener wakes scmp on the caller's CPU

	mu       sync.Mutex
	calls    map[callKey]*usage
	unnamed  map[callKey]int // calls without a name, and how often
	first    bool            // the first notification has been seen
	serveErr error
}

func newRecorder(withArgs bool) *recorder {
	return &recorder{withArgs: withArgs, calls: map[callKey]*usage{}, unnamed: map[callKey]int{}}
}

// errNotStarted is returned by recorder.run when the command could not
// be started; the failure has been reported.
var errNotStarted = errors.New("the command did not start")

// run runs cmd, serving its notifications until it and every process it
// started have exited, and returns its exit status as "scmp run" does.
func (r *recorder) run(e *env, cmd *sandbox.Cmd, name string) (int, error) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGINT, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return e.startError(name, err), errNotStarted
	}
	fd := cmd.NotifyFd()
	if fd < 0 {
		cmd.Process.Kill()
		cmd.Wait()
		return exitRunFailed, errors.New("the recording filter gave no notification descriptor")
	}
	r.syncWakeUp = setSyncWakeUp(fd)
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := r.serve(fd); err != nil {
			r.mu.Lock()
			r.serveErr = err
			r.mu.Unlock()
			cmd.Process.Kill()
		}
	}()
	done := make(chan struct{})
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		for {
			select {
			case s := <-sigs:
				if s != syscall.SIGINT && s != syscall.SIGQUIT {
					cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-forwarded
	// Descendants may outlive CMD: the profile is theirs too. A signal
	// that would have gone to CMD ends the wait for them.
	select {
	case <-served:
		syscall.Close(int(fd))
	case s := <-sigs:
		e.warnf("%s has exited, and the signal (%v) ends the recording of the processes it left: the profile has what they did until now", name, s)
	}
	var se *sandbox.Error
	if errors.As(err, &se) {
		// With a notifying filter, Start returns before execve.
		return e.startError(name, err), errNotStarted
	}
	return e.exitStatus(name, err, cmd.Process.Pid, nil), nil
}

// setSyncWakeUp puts the listener in synchronous wake-up mode where the
// kernel has it (Linux 6.6 or later), and reports whether it did. Each
// recorded call is a round trip to scmp, which the mode makes cheaper;
// elsewhere recording works as well, only slower, so a refusal is not
// reported.
func setSyncWakeUp(fd seccomp.ScmpFd) bool {
	return seccomp.NotifSetSyncWakeUp(fd) == nil
}

// serve answers the notifications on fd until no process uses the filter.
func (r *recorder) serve(fd seccomp.ScmpFd) error {
	var req seccomp.ScmpNotifReq
	for {
		// Notifications that vanish (the caller died or was
		// interrupted, and then calls again) are skipped by the
		// receive.
		err := seccomp.NotifReceiveInto(fd, &req)
		switch {
		case errors.Is(err, seccomp.ErrNotifNoTarget):
			return nil
		case err != nil:
			return fmt.Errorf("receiving a notification: %w", err)
		}
		r.note(&req)
		err = seccomp.NotifRespond(fd, &seccomp.ScmpNotifResp{ID: req.ID, Flags: seccomp.NotifRespFlagContinue})
		if err != nil && err != syscall.ENOENT {
			return fmt.Errorf("letting %d's system call %d run: %w", req.Pid, req.Data.Syscall, err)
		}
	}
}

// note records one notified system call.
func (r *recorder) note(req *seccomp.ScmpNotifReq) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := callKey{arch: req.Data.Arch, nr: int32(req.Data.Syscall)}
	if !r.first {
		// The sandbox's own execve of CMD, the one call it makes
		// under the filter. execve is in every profile anyway (see
		// profile), so it is not counted as CMD's.
		r.first = true
		if name, _ := req.Data.Syscall.GetNameByArch(k.arch); name == "execve" {
			return
		}
	}
	name, err := req.Data.Syscall.GetNameByArch(k.arch)
	if err != nil {
		r.unnamed[k]++
		return
	}
	u := r.calls[k]
	if u == nil {
		u = &usage{}
		r.calls[k] = u
	}
	if !r.withArgs || u.any {
		return
	}
	i, ok := argIndex(name, k.arch)
	if !ok || int(i) >= len(req.Data.Args) {
		return
	}
	if u.values == nil {
		u.values = map[uint64]bool{}
	}
	u.values[req.Data.Args[i]] = true
	if len(u.values) > maxArgValues {
		u.any, u.values = true, nil
	}
}

// failure returns the error that stopped the serving of notifications.
func (r *recorder) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.serveErr
}

// unnamedErr describes the calls that could not be put in the profile.
func (r *recorder) unnamedErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.unnamed) == 0 {
		return nil
	}
	var list []string
	for k, n := range r.unnamed {
		list = append(list, fmt.Sprintf("%d on %v (%d times)", k.nr, k.arch, n))
	}
	sort.Strings(list)
	return fmt.Errorf("system calls without a name were left out of the profile: %s", strings.Join(list, ", "))
}

// learned is a learned profile, before it is written in a format.
type learned struct {
	defaultAction specs.LinuxSeccompAction
	defaultErrno  *uint
	native        seccomp.ScmpArch
	arches        []seccomp.ScmpArch // native first
	entries       []oci.Syscall
}

// errnoEPERM is the errno of the learned profiles' default action.
const errnoEPERM = uint(syscall.EPERM)

// lets reports whether a lets a system call run.
func lets(a specs.LinuxSeccompAction) bool {
	return a == specs.ActAllow || a == specs.ActLog
}

// profile builds the learned profile. Without a base, it allows exactly
// the system calls recorded, by architecture, and refuses the others with
// EPERM. With one, see runLearn's usage.
func (r *recorder) profile(native seccomp.ScmpArch, base *specs.LinuxSeccomp) *learned {
	r.mu.Lock()
	defer r.mu.Unlock()
	eperm := errnoEPERM
	p := &learned{defaultAction: specs.ActErrno, defaultErrno: &eperm, native: native, arches: []seccomp.ScmpArch{native}}
	allow := specs.ActAllow

	// uses[name] is what was seen of name on any architecture: with
	// --args, the values of its flag or enum argument.
	type use struct {
		values map[uint64]bool
		any    bool
		index  uint
		args   bool
	}
	uses := map[string]*use{}
	add := func(name string, a seccomp.ScmpArch, u *usage) {
		s := uses[name]
		if s == nil {
			s = &use{}
			uses[name] = s
		}
		if !slices.Contains(p.arches, a) {
			p.arches = append(p.arches, a)
		}
		i, ok := argIndex(name, a)
		switch {
		case !r.withArgs || !ok || u.any || (u.values == nil && !s.args):
			s.any = true
		default:
			s.args, s.index = true, i
			if s.values == nil {
				s.values = map[uint64]bool{}
			}
			for v := range u.values {
				s.values[v] = true
			}
		}
	}
	for k, u := range r.calls {
		name, _ := seccomp.ScmpSyscall(k.nr).GetNameByArch(k.arch)
		add(name, k.arch, u)
	}
	// The sandbox, like runc, starts CMD with execve under the filter:
	// a profile without it could not start the command it was learned
	// from.
	add("execve", native, &usage{})
	slices.Sort(p.arches[1:])

	if base != nil {
		if !lets(base.DefaultAction) {
			p.defaultAction, p.defaultErrno = base.DefaultAction, base.DefaultErrnoRet
		} else {
			allow = base.DefaultAction
		}
		for _, s := range base.Syscalls {
			if !lets(s.Action) {
				p.entries = append(p.entries, fromSpec(s, s.Names))
				continue
			}
			if lets(base.DefaultAction) {
				// Rules like the default are left out by runc.
				continue
			}
			var names []string
			for _, n := range s.Names {
				if uses[n] != nil {
					names = append(names, n)
				}
			}
			if len(names) > 0 {
				p.entries = append(p.entries, fromSpec(s, names))
			}
		}
		if !lets(base.DefaultAction) {
			// Every call let run came from one of the kept entries.
			return p
		}
	}

	// One entry for the names allowed whatever their arguments, then one
	// per value of the others. No profile format has entries for one
	// ABI of a machine (Docker's includes.arches is the machine's
	// architecture): a name is allowed on each of the profile's
	// architectures that has a syscall of that name.
	var plain, conditional []string
	for name, s := range uses {
		if s.args && !s.any {
			conditional = append(conditional, name)
		} else {
			plain = append(plain, name)
		}
	}
	sort.Strings(plain)
	p.entries = append(p.entries, oci.Syscall{Names: plain, Action: allow})
	sort.Strings(conditional)
	for _, name := range conditional {
		s := uses[name]
		values := make([]uint64, 0, len(s.values))
		for v := range s.values {
			values = append(values, v)
		}
		slices.Sort(values)
		for _, v := range values {
			p.entries = append(p.entries, oci.Syscall{Names: []string{name}, Action: allow,
				Args: []specs.LinuxSeccompArg{{Index: s.index, Value: v, Op: specs.OpEqualTo}}})
		}
	}
	return p
}

// fromSpec returns a profile entry for s with names.
func fromSpec(s specs.LinuxSyscall, names []string) oci.Syscall {
	return oci.Syscall{Names: names, Action: s.Action, ErrnoRet: s.ErrnoRet, Args: s.Args}
}

// spec returns p as runtime-spec's LinuxSeccomp.
func (p *learned) spec() *specs.LinuxSeccomp {
	s := &specs.LinuxSeccomp{DefaultAction: p.defaultAction, DefaultErrnoRet: p.defaultErrno}
	for _, a := range p.arches {
		name, _ := archSpecName(a)
		s.Architectures = append(s.Architectures, name)
	}
	for _, e := range p.entries {
		s.Syscalls = append(s.Syscalls, specs.LinuxSyscall{Names: e.Names, Action: e.Action, ErrnoRet: e.ErrnoRet, Args: e.Args})
	}
	return s
}

// docker returns p as a Docker profile: an archMap for the native
// architecture with the others as its subArchitectures.
func (p *learned) docker() *oci.Profile {
	d := &oci.Profile{DefaultAction: p.defaultAction, DefaultErrnoRet: p.defaultErrno}
	main, _ := archSpecName(p.native)
	m := oci.ArchMap{Arch: main, SubArches: []specs.Arch{}}
	for _, a := range p.arches[1:] {
		name, _ := archSpecName(a)
		m.SubArches = append(m.SubArches, name)
	}
	d.ArchMap = []oci.ArchMap{m}
	d.Syscalls = p.entries
	return d
}

// archSpecName returns runtime-spec's name of a.
func archSpecName(a seccomp.ScmpArch) (specs.Arch, error) {
	t, err := parseArch(a.String())
	if err != nil {
		return "", err
	}
	return specs.Arch("SCMP_ARCH_" + strings.ToUpper(t.abi.Name)), nil
}

// marshalProfile writes p in format.
func marshalProfile(p *learned, format, name string) ([]byte, error) {
	var v any
	switch format {
	case formatDocker:
		v = p.docker()
	case formatSPO:
		return oci.MarshalSeccompProfile(p.spec(), name)
	default:
		v = p.spec()
	}
	b, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// seccompProfileSpec passes on what readInput returned, with a Security
// Profiles Operator SeccompProfile resource (YAML or JSON) replaced by
// the profile in its spec, so that every command that reads a profile
// reads that resource too.
func seccompProfileSpec(data []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	spec, ok, err := oci.FromSeccompProfile(data)
	switch {
	case err != nil:
		return nil, err
	case ok:
		return spec, nil
	}
	return data, nil
}
