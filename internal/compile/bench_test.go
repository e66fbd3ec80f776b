package compile

import (
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// dockerLike builds, directly as rule database, a profile like Docker's
// default one for a container without extra capabilities: about 360
// syscalls allowed outright, socket allowed for address families below
// 38, 39 and above 40, personality allowed for five personas, clone allowed without
// namespace flags, clone3 failing with ENOSYS, everything else failing
// with EPERM.
func dockerLike(arches ...*arch.Arch) Input {
	in := Input{Default: actErrno(1), BadArch: actKill}
	for _, a := range arches {
		bySys := map[uint32]*db.Syscall{}
		for _, name := range dockerNames {
			nr, ok := a.SyscallNumber(name)
			if !ok || nr < 0 {
				continue
			}
			bySys[uint32(nr)] = sc(uint32(nr), actAllow)
		}
		set := func(name string, s *db.Syscall) {
			if nr, ok := a.SyscallNumber(name); ok && nr >= 0 {
				s.Num = uint32(nr)
				bySys[s.Num] = s
			}
		}
		wide := a.Bits == 64
		// arg0 == v on a 64-bit argument compares both halves.
		eq64 := func(vals ...uint32) *db.Node {
			var nodes []*db.Node
			for _, v := range vals {
				nodes = append(nodes, tAct(cmp(db.OpEQ, 0, false, v), actAllow))
			}
			l := lvl(nodes...)
			if !wide {
				return l
			}
			return lvl(tNext(cmp(db.OpEQ, 0, true, 0), l))
		}
		set("personality", scArgs(0, eq64(0, 8, 0x20000, 0x20008, 0xffffffff)))
		// socket: family < 38, == 39 or > 40, as three rules.
		sock := lvl(tAct(cmp(db.OpEQ, 0, false, 39), actAllow), fAct(cmp(db.OpGE, 0, false, 38), actAllow), tAct(cmp(db.OpGT, 0, false, 40), actAllow))
		if wide {
			sock = lvl(
				tNext(cmp(db.OpEQ, 0, true, 0), lvl(tAct(cmp(db.OpEQ, 0, false, 39), actAllow))),
				tAct(cmp(db.OpGT, 0, true, 0), actAllow),
				tNext(cmp(db.OpEQ, 0, true, 0), lvl(fAct(cmp(db.OpGE, 0, false, 38), actAllow), tAct(cmp(db.OpGT, 0, false, 40), actAllow))))
		}
		set("socket", scArgs(0, sock))
		clone := lvl(tAct(masked(0, false, 0x7e020000, 0), actAllow))
		if wide {
			clone = lvl(tNext(masked(0, true, 0, 0), clone))
		}
		set("clone", scArgs(0, clone))
		set("clone3", sc(0, actErrno(38)))
		var ss []*db.Syscall
		for _, s := range bySys {
			ss = append(ss, s)
		}
		in.Filters = append(in.Filters, filter(a, ss...))
	}
	return in
}

// stepStats runs p on the probes of the performance targets: every
// syscall number -1..1023 of each arch (and 0x40000000.. for x86_64),
// with all arguments 0, and returns the mean steps over the allowed ones
// and the maximum over all of them and over argument vectors built from
// the profile's constants.
func stepStats(t testing.TB, in Input, p bpf.Program) (mean float64, maxSteps int) {
	mean, _, maxSteps = stepStatsAll(t, in, p)
	return mean, maxSteps
}

// stepStatsAll is stepStats that also returns the mean over all the
// probes with arguments 0, one foreign architecture's included.
func stepStatsAll(t testing.TB, in Input, p bpf.Program) (mean, meanAll float64, maxSteps int) {
	var sum, n, sumAll, nAll int
	if vm, err := bpf.NewVM(p, nil); err == nil {
		for nr := int32(-1); nr < 1024; nr++ {
			_, steps, _ := vm.Run(bpf.Data{Nr: nr, Arch: arch.AArch64.Token})
			sumAll += steps
			nAll++
		}
	}
	vals := probeValues(in)
	for _, f := range in.Filters {
		vm, err := bpf.NewVM(p, f.Arch.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		var nums []uint32
		for nr := -1; nr < 1024; nr++ {
			nums = append(nums, uint32(nr))
			if f.Arch.Name == "x86_64" || f.Arch.Name == "x32" {
				nums = append(nums, uint32(nr)+0x40000000)
			}
		}
		slices.Sort(nums)
		nums = slices.Compact(nums)
		for _, nr := range nums {
			d := bpf.Data{Nr: int32(nr), Arch: f.Arch.Token}
			ret, steps, err := vm.Run(d)
			if err != nil {
				t.Fatal(err)
			}
			if ret == bpf.RetAllow {
				sum += steps
				n++
			}
			sumAll += steps
			nAll++
			maxSteps = max(maxSteps, steps)
			if argIndependent(in, f.Arch.Token, nr) {
				continue
			}
			for _, v := range vals {
				d.Args = [6]uint64{v, v, v, v, v, v}
				_, steps, err := vm.Run(d)
				if err != nil {
					t.Fatal(err)
				}
				maxSteps = max(maxSteps, steps)
			}
		}
	}
	return float64(sum) / float64(n), float64(sumAll) / float64(nAll), maxSteps
}

func TestDockerTargets(t *testing.T) {
	tests := []struct {
		name    string
		arches  []*arch.Arch
		maxLen  int
		maxMean float64
		maxMax  int
	}{
		{"x86_64", []*arch.Arch{arch.X86_64}, 110, 11.5, 16},
		{"x86_64+x86+x32", []*arch.Arch{arch.X86_64, arch.X86, arch.X32}, 330, 12.5, 18},
		{"aarch64", []*arch.Arch{arch.AArch64}, 110, 11.5, 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := dockerLike(tc.arches...)
			p := check(t, in, 20)
			mean, mx := stepStats(t, in, p)
			t.Logf("%d instructions, mean steps over allowed %.2f, max %d", len(p), mean, mx)
			if len(p) > tc.maxLen || mean > tc.maxMean || mx > tc.maxMax {
				t.Errorf("%d instructions, mean %.2f, max %d; want at most %d, %.1f, %d", len(p), mean, mx, tc.maxLen, tc.maxMean, tc.maxMax)
			}
		})
	}
}

func benchCompile(b *testing.B, in Input) {
	p, err := Compile(in)
	if err != nil {
		b.Fatal(err)
	}
	mean, meanAll, mx := stepStatsAll(b, in, p)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := Compile(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p)), "insns")
	b.ReportMetric(mean, "mean-steps")
	b.ReportMetric(meanAll, "mean-all-steps")
	b.ReportMetric(float64(mx), "max-steps")
}

func BenchmarkDockerX86_64(b *testing.B) { benchCompile(b, dockerLike(arch.X86_64)) }

func BenchmarkDockerThreeArches(b *testing.B) {
	benchCompile(b, dockerLike(arch.X86_64, arch.X86, arch.X32))
}

var dockerNames = strings.Fields(`
accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir
chmod chown chown32 clock_adjtime clock_adjtime64 clock_getres
clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
clock_nanosleep_time64 close close_range connect copy_file_range creat dup
dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait
epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate
fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat
fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr
fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate
ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv
futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32
geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid
getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32
getxattr getxattrat inotify_add_watch inotify_init inotify_init1
inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents
io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc kill
landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown
lchown32 lgetxattr link linkat listen listxattr listxattrat llistxattr
_llseek lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack
membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat
mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open
mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64
mq_unlink mremap mseal msgctl msgget msgrcv msgsnd msync munlock munlockall
munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2
pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free
pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64
process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read
readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64
recvmsg remap_file_pages removexattr removexattrat rename renameat renameat2
restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr
sched_getparam sched_get_priority_max sched_get_priority_min
sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
sched_setaffinity sched_setattr sched_setparam sched_setscheduler
sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64
send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32
setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid
setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32
setreuid setreuid32 setrlimit set_robust_list setsid setsockopt
set_thread_area set_tid_address setuid setuid32 setxattr setxattrat shmat
shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask
sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statx
symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time
timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64
timer_settime timer_settime64 timerfd_create timerfd_gettime
timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate
truncate64 ugetrlimit umask uname unlink unlinkat uretprobe utime utimensat
utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev
process_vm_readv process_vm_writev ptrace arch_prctl modify_ldt chroot`)

// syscallMix is a syscall frequency mix dominated by futex, read, write
// and epoll, as in a busy network server; the weights are relative.
var syscallMix = map[string]uint32{
	"futex": 250, "read": 120, "write": 110, "epoll_wait": 90, "epoll_pwait": 40,
	"recvfrom": 60, "sendto": 60, "close": 30, "openat": 20, "fstat": 20,
	"mmap": 15, "munmap": 10, "clock_gettime": 10, "nanosleep": 8, "getpid": 5,
	"sched_yield": 5, "madvise": 5, "rt_sigprocmask": 5, "accept4": 4, "epoll_ctl": 12,
}

// mixSteps returns the mean steps of p over the syscall mix on a.
func mixSteps(t testing.TB, p bpf.Program, a *arch.Arch) float64 {
	var sum, total float64
	for name, w := range syscallMix {
		nr, ok := a.SyscallNumber(name)
		if !ok || nr < 0 {
			continue
		}
		_, steps, err := p.Run(bpf.Data{Nr: nr, Arch: a.Token}, a.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		sum += float64(w) * float64(steps)
		total += float64(w)
	}
	return sum / total
}

// withPriorities returns in with the weights of the mix set as syscall
// priorities, as SetSyscallPriority would.
func withPriorities(in Input) Input {
	for _, f := range in.Filters {
		for _, s := range f.Syscalls {
			if name, ok := f.Arch.SyscallName(int32(s.Num)); ok {
				s.Priority = syscallMix[name]
			}
		}
	}
	return in
}

func TestPriorityGain(t *testing.T) {
	a := arch.X86_64
	plain, err := Compile(dockerLike(a))
	if err != nil {
		t.Fatal(err)
	}
	in := withPriorities(dockerLike(a))
	prio := check(t, in, 0)
	before, after := mixSteps(t, plain, a), mixSteps(t, prio, a)
	t.Logf("mean steps over the syscall mix: %.2f without priorities, %.2f with", before, after)
	if after >= before {
		t.Errorf("priorities do not help: %.2f steps with them, %.2f without", after, before)
	}
	if mean, mx := stepStats(t, in, prio); mx > 16 || mean > 11.5 {
		t.Errorf("with priorities: mean %.2f, max %d", mean, mx)
	}
}

func BenchmarkDockerX86_64Priorities(b *testing.B) {
	in := withPriorities(dockerLike(arch.X86_64))
	benchCompile(b, in)
	p, _ := Compile(in)
	b.ReportMetric(mixSteps(b, p, arch.X86_64), "mix-steps")
}
