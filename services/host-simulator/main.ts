/**
 * CLI: runs N simulated osquery hosts against a Logbook (or any osquery TLS) server, prints a
 * stats line periodically and stops cleanly on SIGINT/SIGTERM. Bad arguments exit with code 2.
 */
import { parseCliArguments } from './cli-arguments';
import { startHostSimulator, type HostSimulatorStats } from './host-simulator';

async function main(): Promise<void> {
  const parsed = parseCliArguments(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.text}\n`);
    return;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`host-simulator: ${parsed.problems.join('\nhost-simulator: ')}\nRun with --help for the list of options.\n`);
    process.exit(2);
  }
  const { options, statsIntervalSec, durationSec } = parsed.settings;
  const simulator = await startHostSimulator(options);
  const started = Date.now();
  process.stdout.write(`host-simulator: ${options.hosts} hosts against ${options.url} (seed ${options.seed})\n`);
  void simulator.ready.then(
    () => process.stdout.write(`host-simulator: all ${options.hosts} hosts enrolled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`),
    () => {},
  );

  let previous: HostSimulatorStats = simulator.stats();
  let previousAt = Date.now();
  let previousCpu = process.cpuUsage();
  const statsTimer =
    statsIntervalSec > 0
      ? setInterval(() => {
          const now = Date.now();
          const current = simulator.stats();
          const cpu = process.cpuUsage();
          const seconds = (now - previousAt) / 1000;
          const cpuPercent = ((cpu.user - previousCpu.user + cpu.system - previousCpu.system) / 1000 / (now - previousAt)) * 100;
          const rate = (key: keyof HostSimulatorStats) => ((current[key] as number) - (previous[key] as number)) / seconds;
          process.stdout.write(
            `[${Math.round((now - started) / 1000)}s] enrolled ${current.enrolled}/${current.hosts}` +
              ` | check-ins/s ${rate('checkIns').toFixed(1)}` +
              ` | queries answered ${current.queriesAnswered} (${rate('queriesAnswered').toFixed(1)}/s, errors ${current.queryErrors})` +
              ` | log lines ${current.resultLogLines} result, ${current.statusLogLines} status` +
              ` | re-enrolls ${current.reenrollments} | errors ${current.httpErrors + current.enrollFailures}` +
              ` | in flight ${current.inFlight} | cpu ${cpuPercent.toFixed(1)}% rss ${Math.round(process.memoryUsage.rss() / 1048576)} MB\n`,
          );
          previous = current;
          previousAt = now;
          previousCpu = cpu;
        }, statsIntervalSec * 1000)
      : null;

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    if (statsTimer) clearInterval(statsTimer);
    process.stdout.write(`host-simulator: stopping (${reason})\n`);
    simulator.stop().then(
      () => {
        const final = simulator.stats();
        process.stdout.write(
          `host-simulator: stopped; enrollments ${final.enrollments}, check-ins ${final.checkIns}, queries answered ${final.queriesAnswered}, ` +
            `result lines ${final.resultLogLines}, status lines ${final.statusLogLines}, errors ${final.httpErrors + final.enrollFailures}\n`,
        );
        process.exit(0);
      },
      (error) => {
        process.stderr.write(`host-simulator: error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (durationSec > 0) setTimeout(() => stop(`duration of ${durationSec} s reached`), durationSec * 1000);
}

main().catch((error) => {
  process.stderr.write(`host-simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
