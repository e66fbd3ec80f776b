package seccomp

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// kmsgReader reads the kernel log records written after it was opened.
type kmsgReader struct{ fd int }

func openKmsg() (*kmsgReader, error) {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if _, err := unix.Seek(fd, 0, io.SeekEnd); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &kmsgReader{fd}, nil
}

// records returns the records available now.
func (k *kmsgReader) records() []string {
	var out []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.Read(k.fd, buf)
		if err == unix.EPIPE {
			continue // records were overwritten; go on with the next
		}
		if err != nil || n <= 0 {
			return out
		}
		out = append(out, string(buf[:n]))
	}
}

func (k *kmsgReader) close() { unix.Close(k.fd) }

// auditChild loads a filter that logs getpgid (SECCOMP_RET_LOG) and fails
// getsid with EXDEV, with or without SECCOMP_FILTER_FLAG_LOG, and makes
// both calls, getsid first, in rounds until told to stop.
func auditChild(flagLog bool) {
	p := bpf.Program{
		ldAbs(offArch),
		jeq(nativeToken(), 1, 0),
		ret(kernel.RetKillProcess),
		ldAbs(offNr),
		jeq(testNr, 0, 1),
		ret(kernel.RetLog),
		jeq(unix.SYS_GETSID, 0, 1),
		ret(kernel.RetErrno | uint32(unix.EXDEV)),
		ret(kernel.RetAllow),
	}
	if err := kernel.LoadFilter(p, kernel.Options{NoNewPrivs: true, TSync: true, Log: flagLog}); err != nil {
		childFail("load: %v", err)
	}
	in := bufio.NewReader(os.Stdin)
	for i := 0; ; i++ {
		rawErrno(unix.SYS_GETSID, 0)
		rawErrno(testNr, 0)
		report("round", i)
		if b, err := in.ReadByte(); err != nil || b == 's' {
			break
		}
	}
	childDone()
}

// auditRecords runs test t's auditChild and returns the seccomp audit
// records of the child, by syscall number, once the record of the LOG
// call (made after the getsid call) and, if wantErrno, the getsid record
// were seen. The kernel rate-limits these records, so the child repeats
// its calls for a few rounds. It skips the test when no record arrives.
func auditRecords(t *testing.T, wantErrno bool) map[uintptr]string {
	const rounds = 8
	k, err := openKmsg()
	if err != nil {
		t.Skipf("cannot read the kernel log: %v", err)
	}
	defer k.close()
	cmd := liveCommand(t)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pid := fmt.Sprintf(" pid=%d ", cmd.Process.Pid)
	recs := map[uintptr]string{}
	done := func() bool { return recs[testNr] != "" && (!wantErrno || recs[unix.SYS_GETSID] != "") }
	lines := bufio.NewScanner(out)
	for round := 0; lines.Scan(); {
		if !strings.HasPrefix(lines.Text(), "round=") {
			continue
		}
		round++
		deadline := time.Now().Add(1500 * time.Millisecond)
		for time.Now().Before(deadline) && !done() {
			for _, rec := range k.records() {
				if !strings.Contains(rec, "type=1326") || !strings.Contains(rec, pid) {
					continue
				}
				for _, nr := range []uintptr{testNr, unix.SYS_GETSID} {
					if strings.Contains(rec, fmt.Sprintf(" syscall=%d ", nr)) && recs[nr] == "" {
						recs[nr] = rec
					}
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		next := []byte{'a'}
		if done() || round >= rounds {
			next[0] = 's'
		}
		stdin.Write(next)
	}
	stdin.Close()
	cmd.Wait()
	if len(recs) == 0 {
		t.Skip("no seccomp audit record of the child reached /dev/kmsg (audit daemon or rate limit)")
	}
	return recs
}

// TestLiveLogAudit checks that the kernel logs what the filter asks it
// to: SECCOMP_RET_LOG always, and SECCOMP_RET_ERRNO because the filter
// was loaded with SECCOMP_FILTER_FLAG_LOG (the LOG attribute). The audit
// records are read from /dev/kmsg.
func TestLiveLogAudit(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		auditChild(true)
	}
	recs := auditRecords(t, true)
	for _, c := range []struct {
		nr   uintptr
		code uint32 // the record carries the action, not its data
	}{{testNr, kernel.RetLog}, {unix.SYS_GETSID, kernel.RetErrno}} {
		rec := recs[c.nr]
		if rec == "" {
			t.Errorf("no audit record of syscall %d", c.nr)
		} else if !strings.Contains(rec, fmt.Sprintf("code=%#x", c.code)) {
			t.Errorf("record of syscall %d without code=%#x: %s", c.nr, c.code, rec)
		}
	}
}

// TestLiveLogAuditWithoutFlag: without SECCOMP_FILTER_FLAG_LOG, ERRNO is
// not logged, while RET_LOG, made just after it, still is.
func TestLiveLogAuditWithoutFlag(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		auditChild(false)
	}
	recs := auditRecords(t, false)
	if recs[testNr] == "" {
		t.Fatal("no audit record of the SECCOMP_RET_LOG call")
	}
	if rec := recs[unix.SYS_GETSID]; rec != "" {
		t.Errorf("ERRNO logged without SECCOMP_FILTER_FLAG_LOG: %s", rec)
	}
}
