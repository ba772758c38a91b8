import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A secret volume laid out as the kubelet writes it (AtomicWriter):
 *   <dir>/..2026_11_28_12_00_00.000000001/<name>   the data, one timestamped directory per version
 *   <dir>/..data -> ..2026_11_28_12_00_00.000000001
 *   <dir>/<name> -> ..data/<name>
 * `update()` writes a new timestamped directory, points a temporary symlink at it, renames that over
 * `..data` (the atomic step) and removes the old directory, as the kubelet does.
 */
export class KubernetesSecretVolume {
  #version = 0;
  #current: string | undefined;

  private constructor(readonly dir: string) {}

  static async create(dir: string, files: Record<string, string>): Promise<KubernetesSecretVolume> {
    const volume = new KubernetesSecretVolume(dir);
    await mkdir(dir, { recursive: true });
    const data = await volume.#writeVersion(files);
    await symlink(data, join(dir, "..data"));
    volume.#current = data;
    for (const name of Object.keys(files)) await symlink(join("..data", name), join(dir, name));
    return volume;
  }

  /** The path an app reads (`<dir>/<name>`, a symlink through `..data`). */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Replaces every file at once by swapping `..data`. */
  async update(files: Record<string, string>): Promise<void> {
    const data = await this.#writeVersion(files);
    const temp = join(this.dir, "..data_tmp");
    await symlink(data, temp);
    await rename(temp, join(this.dir, "..data"));
    const old = this.#current;
    this.#current = data;
    if (old) await rm(join(this.dir, old), { recursive: true, force: true });
  }

  async #writeVersion(files: Record<string, string>): Promise<string> {
    this.#version += 1;
    const name = `..2026_11_28_12_00_00.${String(this.#version).padStart(9, "0")}`;
    await mkdir(join(this.dir, name));
    for (const [file, content] of Object.entries(files)) await writeFile(join(this.dir, name, file), content);
    return name;
  }
}
