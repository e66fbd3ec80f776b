package difftest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// shimReplay answers the requests of a test program linked with
// testdata/scmpshim/scmpshim.c by making each call through seccomp-go.
// See that file for the request and answer format.
type shimReplay struct {
	native  *arch.Arch
	filters map[int]*ours.ScmpFilter
	nextID  int

	// exported is the filter's BPF (in the byte order of its ABIs) as
	// the first seccomp_export_bpf or seccomp_export_pfc call saw it,
	// and exportedErr what ScmpFilter.Verify said about it then.
	exported    []byte
	exportedErr error

	// transcript holds every request with its answer, and any error
	// seccomp-go reported, for the failure message.
	transcript []string
	calls      int

	// amend, if set, may replace the answer to a request; the tests of
	// the harness use it to give a program a wrong answer.
	amend func(request, answer string) string
}

func newShimReplay(native *arch.Arch) *shimReplay {
	return &shimReplay{native: native, filters: map[int]*ours.ScmpFilter{}, nextID: 1}
}

// serve reads requests from r and writes answers to w until r ends.
func (s *shimReplay) serve(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	bw := bufio.NewWriter(w)
	for sc.Scan() {
		line := sc.Text()
		s.calls++
		answer, note, err := s.handle(strings.Split(line, " "))
		if err != nil {
			s.transcript = append(s.transcript, line+" -> protocol error: "+err.Error())
			return fmt.Errorf("request %q: %v", line, err)
		}
		if s.amend != nil {
			if a := s.amend(line, answer); a != answer {
				note = "amended from " + answer
				answer = a
			}
		}
		entry := line + " -> " + answer
		if note != "" {
			entry += " (" + note + ")"
		}
		s.transcript = append(s.transcript, entry)
		if _, err := bw.WriteString(answer + "\n"); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

// release frees every filter the program left behind.
func (s *shimReplay) release() {
	for id, f := range s.filters {
		f.Release()
		delete(s.filters, id)
	}
}

// tail returns the last n lines of the transcript.
func (s *shimReplay) tail(n int) string {
	t := s.transcript
	skipped := 0
	if len(t) > n {
		skipped = len(t) - n
		t = t[skipped:]
	}
	var b strings.Builder
	if skipped > 0 {
		fmt.Fprintf(&b, "\t(%d earlier calls)\n", skipped)
	}
	for _, l := range t {
		b.WriteString("\t" + l + "\n")
	}
	return b.String()
}

// request is the words of one request, read in order.
type request struct {
	words []string
	err   error
}

func (q *request) next(what string) string {
	if q.err != nil {
		return ""
	}
	if len(q.words) == 0 {
		q.err = fmt.Errorf("missing %s", what)
		return ""
	}
	w := q.words[0]
	q.words = q.words[1:]
	return w
}

func (q *request) int(what string) int64 {
	w := q.next(what)
	if q.err != nil {
		return 0
	}
	n, err := strconv.ParseInt(w, 0, 64)
	if err != nil {
		q.err = fmt.Errorf("%s %q: %v", what, w, err)
	}
	return n
}

func (q *request) uint(what string) uint64 {
	w := q.next(what)
	if q.err != nil {
		return 0
	}
	n, err := strconv.ParseUint(w, 0, 64)
	if err != nil {
		q.err = fmt.Errorf("%s %q: %v", what, w, err)
	}
	return n
}

func (q *request) done() error {
	if q.err == nil && len(q.words) > 0 {
		q.err = fmt.Errorf("unexpected words %q", q.words)
	}
	return q.err
}

// rc turns a seccomp-go error into the return code libseccomp gives for
// it: 0, or a negative errno.
func rc(err error) (answer, note string) {
	if err == nil {
		return "0", ""
	}
	return strconv.Itoa(-int(errnoOf(err))), err.Error()
}

// errnoOf is the errno behind an API error; the few errors that
// libseccomp-golang reports without one get the errno ErrClass assigns
// them, and any other error EINVAL.
func errnoOf(err error) syscall.Errno {
	var en syscall.Errno
	if errors.As(err, &en) {
		return en
	}
	switch ErrClass(err) {
	case "errno:EFAULT":
		return syscall.EFAULT
	case "errno:EACCES":
		return syscall.EACCES
	}
	return syscall.EINVAL
}

// filter returns the filter of a context number.
func (s *shimReplay) filter(q *request) *ours.ScmpFilter {
	id := q.int("context")
	if q.err != nil {
		return nil
	}
	f := s.filters[int(id)]
	if f == nil {
		q.err = fmt.Errorf("context %d is not a live filter", id)
	}
	return f
}

// arch returns the ABI of a SCMP_ARCH_* token; 0 is the native ABI. An
// unknown token gives ArchInvalid, which seccomp-go then rejects.
func (s *shimReplay) arch(q *request) ours.ScmpArch {
	token := q.uint("architecture token")
	if q.err != nil {
		return ours.ArchInvalid
	}
	a := s.native
	if token != 0 {
		var ok bool
		if a, ok = arch.ByScmpToken(uint32(token)); !ok {
			return ours.ArchInvalid
		}
	}
	sa, err := ours.GetArchFromString(a.Name)
	if err != nil {
		return ours.ArchInvalid
	}
	return sa
}

// action converts a filter return value (SCMP_ACT_*) to a ScmpAction. A
// value of no known action gives ActInvalid, which seccomp-go rejects.
func action(q *request) ours.ScmpAction {
	v := q.uint("action")
	if q.err != nil || v > 0xffffffff {
		return ours.ActInvalid
	}
	ret := uint32(v)
	data := int16(uint16(ret & bpf.RetData))
	kinds := map[uint32]ours.ScmpAction{
		bpf.RetKillProcess: ours.ActKillProcess,
		bpf.RetKillThread:  ours.ActKillThread,
		bpf.RetTrap:        ours.ActTrap,
		bpf.RetUserNotif:   ours.ActNotify,
		bpf.RetLog:         ours.ActLog,
		bpf.RetAllow:       ours.ActAllow,
	}
	switch ret & bpf.RetActionFull {
	case bpf.RetErrno:
		return ours.ActErrno.SetReturnCode(data)
	case bpf.RetTrace:
		return ours.ActTrace.SetReturnCode(data)
	}
	if a, ok := kinds[ret&bpf.RetActionFull]; ok && data == 0 {
		return a
	}
	return ours.ActInvalid
}

// actionValue is the filter return value of a ScmpAction, KILL_PROCESS
// for one that is not valid.
func actionValue(a ours.ScmpAction) uint32 {
	v, err := a.FilterValue()
	if err != nil {
		return bpf.RetKillProcess
	}
	return v
}

var compareOps = map[string]ours.ScmpCompareOp{
	"ne": ours.CompareNotEqual, "lt": ours.CompareLess, "le": ours.CompareLessOrEqual,
	"eq": ours.CompareEqual, "ge": ours.CompareGreaterEqual, "gt": ours.CompareGreater,
	"masked_eq": ours.CompareMaskedEqual,
}

// boolAttrs are the filter attributes that are flags, with their
// accessors.
var boolAttrs = map[string]struct {
	get func(*ours.ScmpFilter) (bool, error)
	set func(*ours.ScmpFilter, bool) error
}{
	"ctl_nnp":      {(*ours.ScmpFilter).GetNoNewPrivsBit, (*ours.ScmpFilter).SetNoNewPrivsBit},
	"ctl_tsync":    {(*ours.ScmpFilter).GetTSync, (*ours.ScmpFilter).SetTSync},
	"api_tskip":    {(*ours.ScmpFilter).GetTSkip, (*ours.ScmpFilter).SetTSkip},
	"ctl_log":      {(*ours.ScmpFilter).GetLogBit, (*ours.ScmpFilter).SetLogBit},
	"ctl_ssb":      {(*ours.ScmpFilter).GetSSB, (*ours.ScmpFilter).SetSSB},
	"api_sysrawrc": {(*ours.ScmpFilter).GetRawRC, (*ours.ScmpFilter).SetRawRC},
	"ctl_waitkill": {(*ours.ScmpFilter).GetWaitKill, (*ours.ScmpFilter).SetWaitKill},
}

// handle makes one call and returns its answer, with the text of the
// error seccomp-go returned, if any. An error means the request itself
// is malformed or asks for something the replay does not offer.
func (s *shimReplay) handle(words []string) (answer, note string, err error) {
	q := &request{words: words[1:]}
	call := words[0]
	switch call {
	case "api_get":
		if err := q.done(); err != nil {
			return "", "", err
		}
		level, err := ours.GetAPI()
		if err != nil {
			return "0", err.Error(), nil
		}
		return strconv.FormatUint(uint64(level), 10), "", nil
	case "api_set":
		level := q.uint("level")
		if err := q.done(); err != nil {
			return "", "", err
		}
		answer, note = rc(ours.SetAPI(uint(level)))
		return answer, note, nil
	case "init":
		act := action(q)
		if err := q.done(); err != nil {
			return "", "", err
		}
		f, err := ours.NewFilter(act)
		if err != nil {
			return "0", err.Error(), nil
		}
		id := s.nextID
		s.nextID++
		s.filters[id] = f
		return strconv.Itoa(id), "", nil
	case "reset":
		if len(q.words) > 0 && q.words[0] == "0" {
			return "", "", errors.New("seccomp_reset(NULL, ...) resets libseccomp's global state, which seccomp-go's API has no call for")
		}
		f := s.filter(q)
		act := action(q)
		if err := q.done(); err != nil {
			return "", "", err
		}
		answer, note = rc(f.Reset(act))
		return answer, note, nil
	case "release":
		id := q.int("context")
		if err := q.done(); err != nil {
			return "", "", err
		}
		if id == 0 {
			return "0", "", nil // seccomp_release(NULL) does nothing
		}
		f := s.filters[int(id)]
		if f == nil {
			return "", "", fmt.Errorf("context %d is not a live filter", id)
		}
		f.Release()
		delete(s.filters, int(id))
		return "0", "", nil
	case "merge":
		dstID := q.int("destination context")
		srcID := q.int("source context")
		if err := q.done(); err != nil {
			return "", "", err
		}
		dst, src := s.filters[int(dstID)], s.filters[int(srcID)]
		if dst == nil || src == nil {
			return "", "", fmt.Errorf("contexts %d and %d must both be live filters", dstID, srcID)
		}
		err := dst.Merge(src)
		if err == nil {
			delete(s.filters, int(srcID))
		}
		answer, note = rc(err)
		return answer, note, nil
	case "arch_resolve_name":
		name := q.next("name")
		if err := q.done(); err != nil {
			return "", "", err
		}
		a, ok := arch.Lookup(name)
		if !ok {
			return "0", "", nil
		}
		return strconv.FormatUint(uint64(a.ScmpToken), 10), "", nil
	case "arch_native":
		if err := q.done(); err != nil {
			return "", "", err
		}
		return strconv.FormatUint(uint64(s.native.ScmpToken), 10), "", nil
	case "arch_exist", "arch_add", "arch_remove":
		f := s.filter(q)
		a := s.arch(q)
		if err := q.done(); err != nil {
			return "", "", err
		}
		switch call {
		case "arch_add":
			answer, note = rc(f.AddArch(a))
		case "arch_remove":
			answer, note = rc(f.RemoveArch(a))
		default:
			present, err := f.IsArchPresent(a)
			if err == nil && !present {
				err = syscall.EEXIST // libseccomp's answer for an absent ABI
			}
			answer, note = rc(err)
		}
		return answer, note, nil
	case "attr_get", "attr_set":
		return s.attr(call == "attr_set", q)
	case "syscall_resolve_num_arch":
		a := s.arch(q)
		nr := q.int("syscall number")
		if err := q.done(); err != nil {
			return "", "", err
		}
		name, err := ours.ScmpSyscall(int32(nr)).GetNameByArch(a)
		if err != nil {
			return "-1", err.Error(), nil
		}
		return "0 " + name, "", nil
	case "syscall_resolve_name_arch", "syscall_resolve_name_rewrite":
		token := q.uint("architecture token")
		name := q.next("name")
		if err := q.done(); err != nil {
			return "", "", err
		}
		a := s.native
		if token != 0 {
			var ok bool
			if a, ok = arch.ByScmpToken(uint32(token)); !ok {
				return "-1", "unknown architecture", nil // __NR_SCMP_ERROR
			}
		}
		var nr int32
		var ok bool
		if call == "syscall_resolve_name_rewrite" {
			nr, ok = a.SyscallNumberRewrite(name)
		} else {
			var sc ours.ScmpSyscall
			sa, err := ours.GetArchFromString(a.Name)
			if err == nil {
				sc, err = ours.GetSyscallFromNameByArch(name, sa)
			}
			nr, ok = int32(sc), err == nil
		}
		if !ok {
			return "-1", "unknown syscall", nil
		}
		return strconv.Itoa(int(nr)), "", nil
	case "syscall_priority":
		f := s.filter(q)
		nr := q.int("syscall number")
		prio := q.uint("priority")
		if err := q.done(); err != nil {
			return "", "", err
		}
		answer, note = rc(f.SetSyscallPriority(ours.ScmpSyscall(int32(nr)), uint8(prio)))
		return answer, note, nil
	case "rule_add":
		return s.ruleAdd(q)
	case "export_bpf", "export_pfc":
		f := s.filter(q)
		q.int("file descriptor")
		if err := q.done(); err != nil {
			return "", "", err
		}
		return s.export(f, call == "export_pfc")
	case "transaction_start", "transaction_reject", "transaction_commit", "precompute":
		f := s.filter(q)
		if err := q.done(); err != nil {
			return "", "", err
		}
		switch call {
		case "transaction_start":
			answer, note = rc(f.TransactionStart())
		case "transaction_commit":
			answer, note = rc(f.TransactionCommit())
		case "precompute":
			answer, note = rc(f.Precompute())
		default:
			f.TransactionReject()
			answer = "0"
		}
		return answer, note, nil
	}
	return "", "", fmt.Errorf("unknown call %q", call)
}

// ruleAdd handles "rule_add CTX EXACT ACTION SYSCALL COUNT [ARG OP A B]...".
func (s *shimReplay) ruleAdd(q *request) (answer, note string, err error) {
	f := s.filter(q)
	exact := q.int("exact flag") != 0
	act := action(q)
	nr := ours.ScmpSyscall(int32(q.int("syscall number")))
	n := q.uint("comparison count")
	if q.err == nil && n > uint64(len(q.words)/4) {
		q.err = fmt.Errorf("%d comparisons announced, %d words follow", n, len(q.words))
	}
	var conds []ours.ScmpCondition
	for range n {
		c := ours.ScmpCondition{Argument: uint(q.uint("argument"))}
		op := q.next("operator")
		c.Op = compareOps[op] // CompareInvalid for an operator C has no name for
		c.Operand1 = q.uint("datum_a")
		c.Operand2 = q.uint("datum_b")
		conds = append(conds, c)
	}
	if err := q.done(); err != nil {
		return "", "", err
	}
	switch {
	case len(conds) == 0 && exact:
		err = f.AddRuleExact(nr, act)
	case len(conds) == 0:
		err = f.AddRule(nr, act)
	case exact:
		err = f.AddRuleConditionalExact(nr, act, conds)
	default:
		err = f.AddRuleConditional(nr, act, conds)
	}
	answer, note = rc(err)
	return answer, note, nil
}

// export answers seccomp_export_bpf and seccomp_export_pfc. The first
// export of the program is the filter the vectors are checked against,
// as libseccomp's regression script checks the program's output.
func (s *shimReplay) export(f *ours.ScmpFilter, pfc bool) (answer, note string, err error) {
	if pfc {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return "", "", err
		}
		defer null.Close()
		if err := f.ExportPFC(null); err != nil {
			answer, note = rc(err)
			return answer, note, nil
		}
	}
	prog, err := f.ExportBPFMem()
	if err != nil {
		answer, note = rc(err)
		return answer, note, nil
	}
	if s.exported == nil {
		s.exported = prog
		s.exportedErr = f.Verify()
	}
	return "0", "", nil
}

// attr handles "attr_get CTX NAME" and "attr_set CTX NAME VALUE".
func (s *shimReplay) attr(set bool, q *request) (answer, note string, err error) {
	f := s.filter(q)
	name := q.next("attribute")
	var value uint64
	if set {
		value = q.uint("value")
	}
	if err := q.done(); err != nil {
		return "", "", err
	}
	var got uint32
	var callErr error
	if acc, ok := boolAttrs[name]; ok {
		if set {
			callErr = acc.set(f, value != 0)
		} else {
			var b bool
			b, callErr = acc.get(f)
			if b {
				got = 1
			}
		}
	} else {
		switch {
		case name == "act_default" && !set:
			var a ours.ScmpAction
			a, callErr = f.GetDefaultAction()
			got = actionValue(a)
		case name == "act_badarch" && !set:
			var a ours.ScmpAction
			a, callErr = f.GetBadArchAction()
			got = actionValue(a)
		case name == "act_badarch":
			callErr = f.SetBadArchAction(action(&request{words: []string{strconv.FormatUint(value, 10)}}))
		case name == "ctl_optimize" && !set:
			var level int
			level, callErr = f.GetOptimize()
			got = uint32(level)
		case name == "ctl_optimize":
			callErr = f.SetOptimize(int(value))
		default:
			return "", "", fmt.Errorf("attribute %s cannot be %s through seccomp-go's API", name, map[bool]string{true: "set", false: "read"}[set])
		}
	}
	answer, note = rc(callErr)
	if callErr == nil && !set {
		answer += " " + strconv.FormatUint(uint64(got), 10)
	}
	return answer, note, nil
}
