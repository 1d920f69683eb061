// `npm run simulate`: prints the seed's worked example (src/core/orchestrator-worked-example.ts)
// and its counterfactual, from the real core. Seeded: the same numbers on every run
// (src/core/orchestrator-worked-example.test.ts pins them).
import { formatAmount } from '../src/core/amounts';
import { runWorkedExample, type WorkedExampleRow } from '../src/core/orchestrator-worked-example';

const h = (milli: number) => formatAmount(milli).padStart(10);

function print(title: string, rows: readonly WorkedExampleRow[]): void {
  console.log(`\n${title}`);
  console.log('round  users  invested h  recouped h  gross flow  clean flow    minted    supply  developer  users total  users min  users max  in balances');
  for (const r of rows) {
    console.log(`${String(r.round).padStart(5)}  ${String(r.users).padStart(5)}  ${h(r.invested)}  ${h(r.recouped)}  ${h(r.grossFlow)}  ${h(r.cleanFlow)}  ${h(r.minted)}  ${h(r.supply)}  ${h(r.developer)}   ${h(r.usersTotal)}  ${h(r.usersMin)} ${h(r.usersMax)}  ${h(r.credited)}`);
  }
}

const seed = Number(process.argv[2] ?? 2009);
const withRecoup = await runWorkedExample({ recoup: true, seed });
const without = await runWorkedExample({ recoup: false, seed });
console.log(`hourmesh worked example (seed ${seed}; one round = one epoch of a day; amounts in MH)`);
console.log('A developer invests 2,000 MH, recoups them in tokens from users (release price = its hours ÷ predicted downloads),');
console.log('trades them for 2,000 hours of other developers\' time, and so on. Mints: flow-linked (docs/ORCHESTRATOR.md).');
print('With recouping', withRecoup.rows);
print('Counterfactual: no recouping (the software is given away; constant productivity)', without.rows);
const last = (rows: readonly WorkedExampleRow[]) => rows[rows.length - 1]!;
console.log(`\nInvested after ${withRecoup.rows.length} rounds: ${formatAmount(last(withRecoup.rows).invested)} MH with recouping, ${formatAmount(last(without.rows).invested)} MH without.`);
console.log(`Minted supply: ${formatAmount(last(withRecoup.rows).supply)} MH with recouping, ${formatAmount(last(without.rows).supply)} MH without (= Σ of the mints; Σ holdings = supply).`);
console.log(`Delivered hours are real tasks (post, committed votes of vouched members, estimate, claim, done, accept — which pays): ${withRecoup.tasks.accepted} accepted with recouping, ${without.tasks.accepted} without. Downloads are transfers counted as flow (no download kind yet).`);
console.log('"in balances": mints the ledger has credited as spendable money — a round\'s mints once the next round\'s entries pass its end.');
