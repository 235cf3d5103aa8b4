/*
 * interrupt.c: Ctrl-C and SIGTERM become a cancel request.
 *
 * The library installs no signal handlers. The CLI's turn SIGINT and
 * SIGTERM into a cancel of what runs (one project, or a fleet of them), so
 * the statement running on the server stops and its transaction rolls back
 * before godwit exits, instead of the server committing it after godwit is
 * gone. A second signal exits at once. The cancel functions are
 * async-signal-safe (gw_project_cancel, gw_fleet_cancel).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static gw_cli_cancel_fn volatile cancel_fn;
static void *volatile cancel_target;
static const char *volatile cancel_message;
static volatile size_t cancel_message_len;
static volatile sig_atomic_t caught_signal;

static void on_interrupt(int sig)
{
	ssize_t ignored;

	if (caught_signal)
		_exit(128 + sig);
	caught_signal = sig;
	ignored = write(STDERR_FILENO, cancel_message, cancel_message_len);
	(void)ignored;
	if (cancel_fn && cancel_target)
		cancel_fn(cancel_target);
}

void gw_cli_catch_interrupts(gw_cli_cancel_fn cancel, void *target, const char *message)
{
	struct sigaction sa;

	cancel_message = message;
	cancel_message_len = strlen(message);
	cancel_target = target;
	cancel_fn = cancel;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void gw_cli_release_interrupts(void)
{
	cancel_target = NULL;
}

int gw_cli_interrupted(void)
{
	return caught_signal;
}
