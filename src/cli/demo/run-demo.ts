import type { Command } from 'commander';
export interface DemoFlags { reset?: boolean; emulatorPort: string; statusInterval: string }
export async function runDemo(_flags: DemoFlags, _command: Command): Promise<void> {}
