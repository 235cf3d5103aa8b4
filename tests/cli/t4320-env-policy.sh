#!/bin/sh
test_description='[env.NAME] policy: protected, confirm, block, backup, seeds and notify per environment; config --env shows the effective policy and where each value came from'
. "$(dirname "$0")/lib.sh"

# The policy block of config's output, without the keys of the rollback
# policies (atomic, after_up, on_check_failure: their own tests).
policy()
{
	sed -n "/^policy/,/^$/p" "$1" | grep -v -e "^  atomic " -e "^  after_up " -e "^  on_check_failure "
}

applied()
{
	pg_sql "SELECT count(*) FROM godwit_migrations"
}

test_expect_success 'config --env shows the policy: defaults, top level, [env.NAME], environment, flag' '
	cat >godwit.conf <<-\EOF &&
	block = warning
	backup = false

	[env.production]
	confirm = false
	backup = true

	[env.staging]
	protected = true
	EOF
	GODWIT_SEEDS=true godwit --env production --notify https://hooks.example.com/T000/B000/secret config >out &&
	policy out >actual &&
	test_grep "^  atomic  *false  *default$" out &&
	cat >expect <<-\EOF &&
	policy of production (environment from --env):
	  protected          true                                     default (production is protected)
	  confirm            false                                    godwit.conf:5 [env.production]
	  block              warning                                  godwit.conf:1
	  block_destructive  true                                     default (block is on)
	  backup             true                                     godwit.conf:6 [env.production]
	  seeds              true                                     env GODWIT_SEEDS
	  notify             https://hooks.example.com/****           --notify
	  notify_on          failure                                  default (protected)

	EOF
	test_cmp expect actual &&
	godwit --env staging config >out &&
	policy out >actual &&
	cat >expect <<-\EOF &&
	policy of staging (environment from --env):
	  protected          true                                     godwit.conf:9 [env.staging]
	  confirm            true                                     default (protected)
	  block              warning                                  godwit.conf:1
	  block_destructive  true                                     default (block is on)
	  backup             false                                    godwit.conf:2
	  seeds              false                                    default (protected)
	  notify             -                                        
	  notify_on          failure                                  default (protected)

	EOF
	test_cmp expect actual &&
	GODWIT_ENV=preview godwit config >out &&
	test_grep "^policy of preview (environment from env GODWIT_ENV):" out &&
	test_grep "^  block              warning  *godwit.conf:1$" out &&
	test_grep "^  seeds              true  *default (not protected)$" out
'

test_expect_success 'config --format json has the policy with its sources' '
	godwit --env production config --format json >out.json &&
	python3 -c "
import json, sys
d = json.load(open(\"out.json\"))
p = d[\"policy\"]
print(p[\"confirm\"][\"value\"], p[\"confirm\"][\"source\"])
print(p[\"block\"][\"value\"], p[\"block\"][\"source\"])
print(p[\"protected\"][\"value\"], p[\"protected\"][\"source\"])
print(d[\"environment_source\"])
" >actual &&
	cat >expect <<-\EOF &&
	false godwit.conf:5 [env.production]
	warning godwit.conf:1
	true default (production is protected)
	option
	EOF
	test_cmp expect actual
'

test_expect_success PG 'setup' '
	pg_new_db &&
	write_migration db/migrations/20240101000000_users.sql <<-\EOF
	-- migrate:up
	CREATE TABLE users (id int);
	-- migrate:down
	DROP TABLE users;
	EOF
'

test_expect_success PG 'protected = true in [env.staging]: up wants a confirmation, and nothing changes without one' '
	printf "[env.staging]\nprotected = true\nurl = %s\n" "$PG_URL" >godwit.conf &&
	test_expect_code 1 godwit --env staging up 2>err &&
	test_grep "^godwit: error: '\''staging'\'' is a protected environment and there is no terminal to confirm on; nothing was changed$" err &&
	test "$(pg_sql "SELECT count(*) FROM pg_tables WHERE tablename = '\''users'\''")" = 0
'

test_expect_success PG 'confirm = false in [env.production]: up goes on without --yes; down still needs --force' '
	printf "[env.production]\nconfirm = false\nurl = %s\n" "$PG_URL" >godwit.conf &&
	godwit --env production up >out &&
	test_grep "^applied 1 migration$" out &&
	test "$(applied)" = 1 &&
	test_expect_code 1 godwit --env production down 2>err &&
	test_grep "to revert 1 migration there needs --force; nothing was changed" err &&
	test "$(applied)" = 1 &&
	godwit --env production down --force >out &&
	test "$(applied)" = 0
'

test_expect_success PG 'confirm = true in development: up refuses without a terminal or --yes' '
	printf "[env.development]\nconfirm = true\nurl = %s\n" "$PG_URL" >godwit.conf &&
	test_expect_code 1 godwit up 2>err &&
	test_grep "^godwit: error: to apply 1 migration needs a confirmation and there is no terminal to confirm on; nothing was changed$" err &&
	test "$(applied)" = 0 &&
	godwit up --yes >out &&
	test "$(applied)" = 1
'

test_expect_success PG 'block in [env.NAME] beats the top-level key' '
	printf "block = off\n[env.production]\nblock = error\nurl = %s\n" "$PG_URL" >godwit.conf &&
	write_migration db/migrations/20240102000000_wipe.sql <<-\EOF &&
	-- migrate:up
	DELETE FROM users;
	-- migrate:down
	SELECT 1;
	EOF
	test_expect_code 1 godwit --env production --yes up 2>err &&
	test_grep "1 unsafe statement, and block = error in the environment '\''production'\''" err &&
	godwit --url "$PG_URL" up >out &&
	test_grep "^applied 1 migration$" out
'

test_expect_success 'seeds = false in [env.development] keeps seeds out; seeds = true lets them into production' '
	mkdir seeds &&
	echo "CREATE TABLE IF NOT EXISTS seeded (a int);" >seeds/01.sql &&
	printf "seeds_dir = seeds\n[env.development]\nseeds = false\nurl = sqlite:dev.db\n[env.production]\nseeds = true\nurl = sqlite:prod.db\n" >godwit.conf &&
	test_expect_code 1 godwit seed 2>err &&
	test_grep "^godwit: error: seeds are not applied in the environment development$" err &&
	test_grep "set seeds = true in its \[env.development\] section of godwit.conf" err &&
	godwit --env production --yes seed >out &&
	test "$(sqlite_sql prod.db "SELECT count(*) FROM sqlite_master WHERE name = '\''seeded'\''")" = 1
'

test_done
