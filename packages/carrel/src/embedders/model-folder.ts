/**
 * The folder layout a local ONNX embedding model has, as `@huggingface/transformers` reads it and
 * the data dir's `models/` cache keeps it (`models/<owner>/<name>/…`, the model id as a path):
 * what must be there, which ONNX file will run, and which models are installed.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Files every model folder needs. */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
/** The ONNX files the local embedder runs, in order of preference (int8 first: ~4× smaller and faster). */
export const ONNX_FILES = ['onnx/model_quantized.onnx', 'onnx/model.onnx'] as const;

/** The data dir's model cache. */
export const modelsDir = (dataDir: string): string => join(dataDir, 'models');

/** Where `model` (an id in the cache, or an absolute folder) lives. */
export const modelFolder = (model: string, cacheDir: string): string => (isAbsolute(model) ? model : join(cacheDir, model));

/** What the folder lacks, as a person would list it; empty when it is complete. */
export function missingFiles(folder: string): string[] {
  const missing: string[] = REQUIRED_FILES.filter((f) => !existsSync(join(folder, f)));
  if (!ONNX_FILES.some((f) => existsSync(join(folder, f)))) missing.push(ONNX_FILES.join(' or '));
  return missing;
}

/** The transformers.js dtype for the ONNX file the folder has: `q8` reads model_quantized.onnx, `fp32` model.onnx. */
export function modelDtype(folder: string): 'q8' | 'fp32' {
  return existsSync(join(folder, ONNX_FILES[0])) || !existsSync(join(folder, ONNX_FILES[1])) ? 'q8' : 'fp32';
}

/** A model found in the cache. */
export interface InstalledModel {
  /** The id to pass as `--model` / `CARREL_LOCAL_MODEL`. */
  id: string;
  path: string;
  /** What it lacks (a download cut short, say); empty when usable. */
  missing: string[];
  bytes: number;
}

/** Models in the cache: folders holding a config.json, one or two levels down (`name` or `owner/name`). */
export function installedModels(cacheDir: string): InstalledModel[] {
  const found: InstalledModel[] = [];
  const visit = (dir: string, depth: number) => {
    if (existsSync(join(dir, 'config.json'))) {
      found.push({ id: relative(cacheDir, dir).split(sep).join('/'), path: dir, missing: missingFiles(dir), bytes: folderBytes(dir) });
      return;
    }
    if (depth === 2) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory() && !entry.name.startsWith('.')) visit(join(dir, entry.name), depth + 1);
  };
  if (existsSync(cacheDir)) visit(cacheDir, 0);
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  return total;
}
