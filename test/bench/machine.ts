import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `Linux ${release()}`,
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export function currentLoadAverage(): number[] {
  return loadavg().map((n) => Math.round(n * 100) / 100);
}
