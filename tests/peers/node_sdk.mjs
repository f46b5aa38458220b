// The official openai Node SDK against the mock. `suite`: the calls of the SDK's own
// tests/api-resources/videos.test.ts (placeholder ids, "Example data" files), for the stateless
// mock as the SDK team runs them against theirs. `flow`: a user's session against the stateful
// mock (create, poll, download, extend by id and by upload, edit, remix, characters, list, delete,
// errors). Prints one line per step; exits 1 if any failed.
import OpenAI, { toFile } from 'openai';
import assert from 'node:assert/strict';

const [mode, baseURL] = process.argv.slice(2);
const client = new OpenAI({ apiKey: 'sk-node-peer', baseURL, maxRetries: 0 });
const example = () => toFile(Buffer.from('Example data'), 'README.md');

// As the SDK's tests check each call: raw Response, parsed data, and both together.
async function full(promise) {
  const raw = await promise.asResponse();
  assert.ok(raw instanceof Response);
  const data = await promise;
  assert.ok(!(data instanceof Response));
  assert.equal((await promise.withResponse()).data, data);
  return data;
}

const suite = {
  'create: only required params': () => full(client.videos.create({ prompt: 'x' })),
  'create: required and optional params': async () =>
    client.videos.create({
      prompt: 'x', input_reference: await example(), model: 'sora-2', seconds: '4', size: '720x1280',
    }),
  retrieve: () => full(client.videos.retrieve('video_123')),
  list: () => full(client.videos.list()),
  'list: request options and params are passed correctly': () =>
    assert.rejects(
      client.videos.list({ after: 'after', limit: 0, order: 'asc' }, { path: '/_stainless_unknown_path' }),
      OpenAI.NotFoundError,
    ),
  delete: () => full(client.videos.delete('video_123')),
  createCharacter: async () => full(client.videos.createCharacter({ name: 'x', video: await example() })),
  'downloadContent: request options and params are passed correctly': () =>
    assert.rejects(
      client.videos.downloadContent('video_123', { variant: 'video' }, { path: '/_stainless_unknown_path' }),
      OpenAI.NotFoundError,
    ),
  edit: async () => full(client.videos.edit({ prompt: 'x', video: await example() })),
  extend: async () => full(client.videos.extend({ prompt: 'x', seconds: '4', video: await example() })),
  getCharacter: () => full(client.videos.getCharacter('char_123')),
  remix: () => full(client.videos.remix('video_123', { prompt: 'x' })),
};

async function completed(video) {
  while (!['completed', 'failed'].includes(video.status)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    video = await client.videos.retrieve(video.id);
  }
  assert.equal(video.status, 'completed');
  return video;
}

let source, clip;
const flow = {
  'create and poll': async () => {
    source = await completed(await client.videos.create({ prompt: 'a cat', seconds: '8', size: '1280x720' }));
    assert.equal(source.seconds, '8');
    assert.equal(source.size, '1280x720');
  },
  'download each variant': async () => {
    for (const [variant, type] of [['video', 'video/mp4'], ['thumbnail', 'image/webp'], ['spritesheet', 'image/jpeg']]) {
      const response = await client.videos.downloadContent(source.id, { variant });
      assert.equal(response.headers.get('content-type'), type);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (variant === 'video') clip = bytes;
      assert.ok(bytes.length > 100);
    }
  },
  'extend by id': async () => {
    const video = await client.videos.extend({ prompt: 'more', seconds: '4', video: { id: source.id } });
    assert.equal(video.seconds, '12');
  },
  'extend by upload': async () => {
    const upload = await toFile(clip, 'clip.mp4', { type: 'video/mp4' });
    const video = await client.videos.extend({ prompt: 'more', seconds: '4', video: upload });
    assert.equal(video.seconds, '12');
  },
  'edit by id': async () => {
    assert.equal((await client.videos.edit({ prompt: 'night', video: { id: source.id } })).seconds, '8');
  },
  remix: async () => {
    const video = await client.videos.remix(source.id, { prompt: 'watercolour' });
    assert.equal(video.remixed_from_video_id, source.id);
  },
  characters: async () => {
    const upload = await toFile(clip, 'clip.mp4', { type: 'video/mp4' });
    const character = await client.videos.createCharacter({ name: 'cat', video: upload });
    assert.equal((await client.videos.getCharacter(character.id)).name, 'cat');
  },
  'list with auto-pagination': async () => {
    const ids = [];
    for await (const video of client.videos.list({ limit: 2 })) ids.push(video.id);
    assert.ok(ids.length >= 5 && ids.includes(source.id), `listed ${ids.length}`);
    assert.equal(new Set(ids).size, ids.length);
  },
  'a bad value is a BadRequestError naming the param': async () => {
    const error = await client.videos.create({ prompt: 'x', seconds: '5' }).catch((e) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.param, 'seconds');
  },
  'delete, then retrieve is NotFoundError': async () => {
    assert.equal((await client.videos.delete(source.id)).deleted, true);
    await assert.rejects(client.videos.retrieve(source.id), OpenAI.NotFoundError);
  },
};

let failed = 0;
for (const [name, step] of Object.entries({ suite, flow }[mode])) {
  try {
    await step();
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error?.status ?? ''} ${String(error?.message ?? error).slice(0, 300)}`);
  }
}
process.exit(failed ? 1 : 0);
