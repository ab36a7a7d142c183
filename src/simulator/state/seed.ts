// The company the simulator starts with: small, Dutch, and realistic enough that every node has
// something to show (agents in two queues, a day/night switch, numbers routed to a queue and a user).

import type { SimCompany, SimDpSwitch, SimExternalNumber, SimPhone, SimQueue, SimUser } from "./types";

export interface SeedData {
  company: SimCompany;
  users: SimUser[];
  queues: SimQueue[];
  dpSwitches: SimDpSwitch[];
  externalNumbers: SimExternalNumber[];
  phones: SimPhone[];
}

export interface DefaultSeedOptions {
  /** username -> password; users not listed get `compass-<username>` */
  passwords?: Record<string, string>;
}

/** Deterministic so docs, tests and `npm start` can name the credentials. */
export function defaultPassword(username: string): string {
  return `compass-${username}`;
}

interface UserPlan {
  id: string;
  username: string;
  name: string;
  ext: string;
  identityId: string;
  right: SimUser["companyRight"];
  location: number;
  features?: string[];
  cli?: string;
}

const USER_PLANS: UserPlan[] = [
  {
    id: "1001",
    username: "alice",
    name: "Alice de Vries",
    ext: "201",
    identityId: "6001",
    right: "write",
    location: 4001,
    features: ["queuePickupApi", "listenInApi"],
    cli: "5003",
  },
  {
    id: "1002",
    username: "bob",
    name: "Bob Jansen",
    ext: "202",
    identityId: "6002",
    right: "read",
    location: 4002,
  },
  {
    id: "1003",
    username: "carol",
    name: "Carol Bakker",
    ext: "203",
    identityId: "6003",
    right: "read",
    location: 4003,
    cli: "5001",
  },
  {
    id: "1004",
    username: "dave",
    name: "Dave Visser",
    ext: "204",
    identityId: "6004",
    right: "none",
    location: 4004,
  },
  {
    id: "1005",
    username: "erin",
    name: "Erin Smit",
    ext: "205",
    identityId: "6005",
    right: "read",
    location: -1,
  },
];

function emptyStats(): SimQueue["stats"] {
  return { averageWait: 0, totalWait: 0, maxWait: 0, totalCalls: 0, handledCalls: 0 };
}

function member(queueId: string, userId: string, priority: number) {
  return { queueId, userId, priority, callForward: false, pausedSince: 0 };
}

export function defaultSeed(options: DefaultSeedOptions = {}): SeedData {
  const passwords = options.passwords ?? {};
  const users: SimUser[] = USER_PLANS.map((p) => ({
    id: p.id,
    username: p.username,
    password: passwords[p.username] ?? defaultPassword(p.username),
    name: p.name,
    contact: `${p.username}@simulated-company.example`,
    language: "nl",
    extensions: [p.ext],
    identities: [{ id: p.identityId, name: p.name, ...(p.cli ? { cliExternalNumberId: p.cli } : {}) }],
    companyRight: p.right,
    features: p.features ?? [],
    location: p.location,
    receiveCalls: "ALL",
    displayStatus: "",
  }));
  return {
    company: { id: "8323166", name: "Simulated Company BV" },
    users,
    queues: [
      {
        id: "2001",
        name: "Support",
        extension: "800",
        members: [member("2001", "1002", 1), member("2001", "1003", 2)],
        waitingCallIds: [],
        stats: emptyStats(),
      },
      {
        id: "2002",
        name: "Sales",
        extension: "801",
        members: [member("2002", "1001", 1), member("2002", "1004", 1)],
        waitingCallIds: [],
        stats: emptyStats(),
      },
    ],
    dpSwitches: [
      { id: "3001", name: "Day/Night", currentSetting: 1, settings: ["Day", "Night", "Holiday"] },
      { id: "3002", name: "Lunch break", currentSetting: 1, settings: ["Open", "Closed"] },
    ],
    externalNumbers: [
      { id: "5001", number: "+31851234500", name: "Main number", destination: "queue:2001" },
      { id: "5002", number: "+31851234501", name: "Sales line", destination: "queue:2002" },
      { id: "5003", number: "+31851234510", name: "Alice direct", destination: "user:1001" },
    ],
    phones: [
      { id: "4001", name: "Alice desk phone" },
      { id: "4002", name: "Bob desk phone" },
      { id: "4003", name: "Carol desk phone" },
      { id: "4004", name: "Dave softphone" },
      { id: "4005", name: "Spare phone" },
    ],
  };
}
