// Prints one plain closing line, "N passed, N failed, N skipped", that CI tooling reads; the list
// reporter beside it shows the details. A test that never ran in a failed run (the web server did not
// start, the run was interrupted) counts as failed, so a broken run never reads as "0 failed".
import type { FullResult, Reporter, Suite } from '@playwright/test/reporter';

class SummaryReporter implements Reporter {
  private root: Suite | undefined;

  onBegin(_config: unknown, suite: Suite): void {
    this.root = suite;
  }

  printsToStdio(): boolean {
    return false;
  }

  onEnd(result: FullResult): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let ran = 0;
    for (const test of this.root?.allTests() ?? []) {
      if (test.results.length === 0) {
        if (result.status !== 'passed') failed += 1;
        continue;
      }
      ran += 1;
      const outcome = test.outcome();
      if (outcome === 'expected' || outcome === 'flaky') passed += 1;
      else if (outcome === 'skipped') skipped += 1;
      else failed += 1;
    }
    // `playwright test --list` runs nothing and passes: there is nothing to sum up.
    if (ran === 0 && result.status === 'passed') return;
    if (result.status !== 'passed' && failed === 0) failed = 1;
    const line = `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
    process.stdout.write(`\n${line}\n`);
  }
}

export default SummaryReporter;
