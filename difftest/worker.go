package difftest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// libseccomp can hang (an endless loop in seccomp_rule_add, in 2.5.4 and
// 2.6.1 alike) or crash (2.5.4, after an architecture is removed from a
// filter with rules) on some rule sets. The differential tests therefore
// build rule sets through libseccomp in a worker process, which is killed
// and restarted when it hangs or dies, so that the outcome can be recorded
// and reported instead of stopping the test run.

// WorkerEnv is the environment variable that makes a test binary serve as
// the libseccomp worker (see ServeWorker).
const WorkerEnv = "DIFFTEST_LIBSECCOMP_WORKER"

// ServeWorker reads rule sets as JSON lines from r and writes BuildLib's
// result for each as a JSON line to w, until r ends.
func ServeWorker(r io.Reader, w io.Writer) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	enc := json.NewEncoder(w)
	for {
		var rs RuleSet
		if err := dec.Decode(&rs); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := enc.Encode(BuildLib(&rs)); err != nil {
			return err
		}
	}
}

// Worker is a libseccomp worker process.
type Worker struct {
	Timeout time.Duration
	cmd     *exec.Cmd
	enc     *json.Encoder
	dec     *json.Decoder
	in      io.WriteCloser
	// Hangs and Crashes count the rule sets the worker did not finish.
	Hangs, Crashes int
}

// NewWorker starts the running test binary as a worker.
func NewWorker() (*Worker, error) {
	w := &Worker{Timeout: 10 * time.Second}
	return w, w.start()
}

func (w *Worker) start() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), WorkerEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	w.cmd, w.in = cmd, in
	w.enc = json.NewEncoder(in)
	w.dec = json.NewDecoder(bufio.NewReader(out))
	return nil
}

// Close stops the worker.
func (w *Worker) Close() {
	if w.cmd != nil {
		w.in.Close()
		_ = w.cmd.Wait()
		w.cmd = nil
	}
}

// ErrLibHang and ErrLibCrash report that libseccomp did not finish a rule
// set.
var (
	ErrLibHang  = errors.New("libseccomp did not finish (endless loop)")
	ErrLibCrash = errors.New("libseccomp crashed")
)

// Build builds rs through libseccomp in the worker.
func (w *Worker) Build(rs *RuleSet) (*Built, error) {
	if w.cmd == nil {
		if err := w.start(); err != nil {
			return nil, err
		}
	}
	if err := w.enc.Encode(rs); err != nil {
		w.kill()
		w.Crashes++
		return nil, fmt.Errorf("%w: %v", ErrLibCrash, err)
	}
	type result struct {
		b   *Built
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var b Built
		err := w.dec.Decode(&b)
		ch <- result{&b, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			w.kill()
			w.Crashes++
			return nil, fmt.Errorf("%w: %v", ErrLibCrash, r.err)
		}
		return r.b, nil
	case <-time.After(w.Timeout):
		w.kill()
		w.Hangs++
		return nil, ErrLibHang
	}
}

func (w *Worker) kill() {
	if w.cmd != nil {
		_ = w.cmd.Process.Kill()
		w.in.Close()
		_ = w.cmd.Wait()
		w.cmd = nil
	}
}
