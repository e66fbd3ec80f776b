/*
 * scmpshim: a stand-in for the libseccomp C API that builds no filter.
 *
 * Every call is written as one line of text to file descriptor 3 and
 * answered by one line read from file descriptor 4; the Go test that
 * starts the program (TestLibseccompSuite in package difftest) makes
 * the same call through seccomp-go and answers with seccomp-go's result.
 * A program linked with this file therefore checks seccomp-go's return
 * codes wherever it checks libseccomp's.
 *
 * Requests are words separated by single spaces: the call's name
 * without the "seccomp_" prefix, then its arguments. A filter context is
 * a positive number chosen by the test (0 is NULL); actions and
 * architecture tokens are written in hexadecimal, syscall numbers and
 * argument values in decimal, comparison operators and filter
 * attributes by name. An answer is a decimal number (the return value,
 * a negative errno on failure), optionally followed by a space and a
 * word (a syscall name, an attribute value).
 *
 * The header is libseccomp's include/seccomp.h, supplied when the test
 * compiles this file; nothing else of libseccomp is used.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#define REQUEST_FD 3
#define ANSWER_FD 4

/* A filter context: the number the test gave it. */
struct shim_ctx {
	long long id;
};

static FILE *requests, *answers;

static void shim_fail(const char *why)
{
	fprintf(stderr, "scmpshim: %s\n", why);
	exit(125);
}

/*
 * Sends one request, formatted like printf, and waits for its answer.
 * Returns the answer's number; if word is not NULL, the answer's word
 * (or an empty string) is copied there, up to len bytes.
 */
static long long shim_call(char *word, size_t len, const char *format, ...)
{
	char line[4096];
	char *end, *sep;
	long long rc;
	va_list ap;

	if (requests == NULL) {
		requests = fdopen(REQUEST_FD, "w");
		answers = fdopen(ANSWER_FD, "r");
		if (requests == NULL || answers == NULL)
			shim_fail("file descriptors 3 and 4 must be the pipes to the test");
	}
	va_start(ap, format);
	vfprintf(requests, format, ap);
	va_end(ap);
	fputc('\n', requests);
	if (fflush(requests) != 0)
		shim_fail("cannot write a request");
	if (fgets(line, sizeof(line), answers) == NULL)
		shim_fail("no answer");
	line[strcspn(line, "\n")] = '\0';
	errno = 0;
	rc = strtoll(line, &end, 10);
	if (end == line || errno != 0 || (*end != '\0' && *end != ' '))
		shim_fail("malformed answer");
	if (word != NULL && len > 0) {
		sep = (*end == ' ') ? end + 1 : end;
		snprintf(word, len, "%s", sep);
	}
	return rc;
}

static long long ctx_id(const scmp_filter_ctx ctx)
{
	return ctx == NULL ? 0 : ((const struct shim_ctx *)ctx)->id;
}

static const char *op_name(enum scmp_compare op, char *buf, size_t len)
{
	switch (op) {
	case SCMP_CMP_NE:
		return "ne";
	case SCMP_CMP_LT:
		return "lt";
	case SCMP_CMP_LE:
		return "le";
	case SCMP_CMP_EQ:
		return "eq";
	case SCMP_CMP_GE:
		return "ge";
	case SCMP_CMP_GT:
		return "gt";
	case SCMP_CMP_MASKED_EQ:
		return "masked_eq";
	default:
		snprintf(buf, len, "op%d", (int)op);
		return buf;
	}
}

static const char *attr_name(enum scmp_filter_attr attr, char *buf, size_t len)
{
	switch (attr) {
	case SCMP_FLTATR_ACT_DEFAULT:
		return "act_default";
	case SCMP_FLTATR_ACT_BADARCH:
		return "act_badarch";
	case SCMP_FLTATR_CTL_NNP:
		return "ctl_nnp";
	case SCMP_FLTATR_CTL_TSYNC:
		return "ctl_tsync";
	case SCMP_FLTATR_API_TSKIP:
		return "api_tskip";
	case SCMP_FLTATR_CTL_LOG:
		return "ctl_log";
	case SCMP_FLTATR_CTL_SSB:
		return "ctl_ssb";
	case SCMP_FLTATR_CTL_OPTIMIZE:
		return "ctl_optimize";
	case SCMP_FLTATR_API_SYSRAWRC:
		return "api_sysrawrc";
	case SCMP_FLTATR_CTL_WAITKILL:
		return "ctl_waitkill";
	default:
		snprintf(buf, len, "attr%d", (int)attr);
		return buf;
	}
}

/* Checks that a name can travel as one word of a request. */
static int plain_word(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

unsigned int seccomp_api_get(void)
{
	return (unsigned int)shim_call(NULL, 0, "api_get");
}

int seccomp_api_set(unsigned int level)
{
	return (int)shim_call(NULL, 0, "api_set %u", level);
}

scmp_filter_ctx seccomp_init(uint32_t def_action)
{
	struct shim_ctx *ctx;
	long long id;

	id = shim_call(NULL, 0, "init 0x%" PRIx32, def_action);
	if (id <= 0)
		return NULL;
	ctx = malloc(sizeof(*ctx));
	if (ctx == NULL)
		shim_fail("out of memory");
	ctx->id = id;
	return ctx;
}

int seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action)
{
	return (int)shim_call(NULL, 0, "reset %lld 0x%" PRIx32, ctx_id(ctx),
			      def_action);
}

void seccomp_release(scmp_filter_ctx ctx)
{
	shim_call(NULL, 0, "release %lld", ctx_id(ctx));
	free(ctx);
}

int seccomp_merge(scmp_filter_ctx ctx_dst, scmp_filter_ctx ctx_src)
{
	int rc;

	rc = (int)shim_call(NULL, 0, "merge %lld %lld", ctx_id(ctx_dst),
			    ctx_id(ctx_src));
	/* As in libseccomp, a merged source context is gone. */
	if (rc == 0)
		free(ctx_src);
	return rc;
}

uint32_t seccomp_arch_resolve_name(const char *arch_name)
{
	if (!plain_word(arch_name))
		return 0;
	return (uint32_t)shim_call(NULL, 0, "arch_resolve_name %s", arch_name);
}

uint32_t seccomp_arch_native(void)
{
	return (uint32_t)shim_call(NULL, 0, "arch_native");
}

int seccomp_arch_exist(const scmp_filter_ctx ctx, uint32_t arch_token)
{
	return (int)shim_call(NULL, 0, "arch_exist %lld 0x%" PRIx32,
			      ctx_id(ctx), arch_token);
}

int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token)
{
	return (int)shim_call(NULL, 0, "arch_add %lld 0x%" PRIx32,
			      ctx_id(ctx), arch_token);
}

int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token)
{
	return (int)shim_call(NULL, 0, "arch_remove %lld 0x%" PRIx32,
			      ctx_id(ctx), arch_token);
}

int seccomp_attr_get(const scmp_filter_ctx ctx, enum scmp_filter_attr attr,
		     uint32_t *value)
{
	char buf[32], word[64];
	int rc;

	rc = (int)shim_call(word, sizeof(word), "attr_get %lld %s",
			    ctx_id(ctx), attr_name(attr, buf, sizeof(buf)));
	if (rc == 0 && value != NULL)
		*value = (uint32_t)strtoul(word, NULL, 0);
	return rc;
}

int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr,
		     uint32_t value)
{
	char buf[32];

	return (int)shim_call(NULL, 0, "attr_set %lld %s 0x%" PRIx32,
			      ctx_id(ctx), attr_name(attr, buf, sizeof(buf)),
			      value);
}

char *seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num)
{
	char word[256];
	char *name;

	if (shim_call(word, sizeof(word), "syscall_resolve_num_arch 0x%"
		      PRIx32 " %d", arch_token, num) != 0)
		return NULL;
	name = strdup(word);
	if (name == NULL)
		shim_fail("out of memory");
	return name;
}

int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name)
{
	if (!plain_word(name))
		return __NR_SCMP_ERROR;
	return (int)shim_call(NULL, 0, "syscall_resolve_name_arch 0x%" PRIx32
			      " %s", arch_token, name);
}

int seccomp_syscall_resolve_name_rewrite(uint32_t arch_token, const char *name)
{
	if (!plain_word(name))
		return __NR_SCMP_ERROR;
	return (int)shim_call(NULL, 0, "syscall_resolve_name_rewrite 0x%"
			      PRIx32 " %s", arch_token, name);
}

int seccomp_syscall_resolve_name(const char *name)
{
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);
}

int seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall,
			     uint8_t priority)
{
	return (int)shim_call(NULL, 0, "syscall_priority %lld %d %u",
			      ctx_id(ctx), syscall, (unsigned int)priority);
}

/*
 * Sends a rule: "rule_add CTX EXACT ACTION SYSCALL COUNT", then
 * "ARG OP DATUM_A DATUM_B" for each comparison.
 */
static int rule_add(scmp_filter_ctx ctx, int exact, uint32_t action,
		    int syscall, unsigned int arg_cnt,
		    const struct scmp_arg_cmp *args)
{
	char *req, *p, op[32];
	size_t len;
	unsigned int i;
	int rc;

	len = 128 + (size_t)arg_cnt * 96;
	req = malloc(len);
	if (req == NULL)
		shim_fail("out of memory");
	p = req;
	p += snprintf(p, len, "rule_add %lld %d 0x%" PRIx32 " %d %u",
		      ctx_id(ctx), exact, action, syscall, arg_cnt);
	for (i = 0; i < arg_cnt; i++)
		p += snprintf(p, len - (size_t)(p - req),
			      " %u %s %" PRIu64 " %" PRIu64, args[i].arg,
			      op_name(args[i].op, op, sizeof(op)),
			      (uint64_t)args[i].datum_a,
			      (uint64_t)args[i].datum_b);
	rc = (int)shim_call(NULL, 0, "%s", req);
	free(req);
	return rc;
}

/* Collects the comparisons of a variadic rule call. */
static struct scmp_arg_cmp *collect_args(unsigned int arg_cnt, va_list ap)
{
	struct scmp_arg_cmp *args;
	unsigned int i;

	args = calloc(arg_cnt > 0 ? arg_cnt : 1, sizeof(*args));
	if (args == NULL)
		shim_fail("out of memory");
	for (i = 0; i < arg_cnt; i++)
		args[i] = va_arg(ap, struct scmp_arg_cmp);
	return args;
}

int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
			   unsigned int arg_cnt,
			   const struct scmp_arg_cmp *arg_array)
{
	return rule_add(ctx, 0, action, syscall, arg_cnt, arg_array);
}

int seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int syscall,
		     unsigned int arg_cnt, ...)
{
	struct scmp_arg_cmp *args;
	va_list ap;
	int rc;

	va_start(ap, arg_cnt);
	args = collect_args(arg_cnt, ap);
	va_end(ap);
	rc = rule_add(ctx, 0, action, syscall, arg_cnt, args);
	free(args);
	return rc;
}

int seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action,
				 int syscall, unsigned int arg_cnt,
				 const struct scmp_arg_cmp *arg_array)
{
	return rule_add(ctx, 1, action, syscall, arg_cnt, arg_array);
}

int seccomp_rule_add_exact(scmp_filter_ctx ctx, uint32_t action, int syscall,
			   unsigned int arg_cnt, ...)
{
	struct scmp_arg_cmp *args;
	va_list ap;
	int rc;

	va_start(ap, arg_cnt);
	args = collect_args(arg_cnt, ap);
	va_end(ap);
	rc = rule_add(ctx, 1, action, syscall, arg_cnt, args);
	free(args);
	return rc;
}

int seccomp_export_pfc(const scmp_filter_ctx ctx, int fd)
{
	return (int)shim_call(NULL, 0, "export_pfc %lld %d", ctx_id(ctx), fd);
}

int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd)
{
	return (int)shim_call(NULL, 0, "export_bpf %lld %d", ctx_id(ctx), fd);
}

int seccomp_transaction_start(const scmp_filter_ctx ctx)
{
	return (int)shim_call(NULL, 0, "transaction_start %lld", ctx_id(ctx));
}

void seccomp_transaction_reject(const scmp_filter_ctx ctx)
{
	shim_call(NULL, 0, "transaction_reject %lld", ctx_id(ctx));
}

int seccomp_transaction_commit(const scmp_filter_ctx ctx)
{
	return (int)shim_call(NULL, 0, "transaction_commit %lld", ctx_id(ctx));
}

int seccomp_precompute(const scmp_filter_ctx ctx)
{
	return (int)shim_call(NULL, 0, "precompute %lld", ctx_id(ctx));
}
