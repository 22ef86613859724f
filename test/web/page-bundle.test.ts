import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildChatPage, chatPageDir } from '../../constructs/web/page-bundle';

describe('the chat page bundle', () => {
  test('is index.html, app.js and app.css, a few tens of KB at most, with no deployment values inside', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-page-bundle-'));
    const sizes = buildChatPage(dir);
    expect(Object.keys(sizes).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    expect(Object.values(sizes).reduce((a, b) => a + b, 0)).toBeLessThan(40 * 1024);
    const js = fs.readFileSync(path.join(dir, 'app.js'), 'utf-8');
    // Settings come from config.json at run time; tokens never touch storage that outlives the tab.
    expect(js).toContain('/config.json');
    expect(js).not.toMatch(/amazoncognito\.com|execute-api|localStorage\.setItem/);
    expect(fs.readFileSync(path.join(dir, 'index.html'), 'utf-8')).toMatch(/<script src="app.js" defer><\/script>/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('from the TypeScript sources, the construct gets a build of the current sources, reused while they are unchanged', () => {
    const dir = chatPageDir();
    expect(dir).not.toContain(`${path.sep}dist${path.sep}`);
    expect(path.basename(dir)).toMatch(/^rag-chat-page-[0-9a-f]{16}$/);
    expect(chatPageDir()).toBe(dir);
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-page-fresh-'));
    buildChatPage(fresh);
    for (const file of ['index.html', 'app.js', 'app.css']) {
      expect(fs.readFileSync(path.join(dir, file), 'utf-8')).toBe(fs.readFileSync(path.join(fresh, file), 'utf-8'));
    }
    fs.rmSync(fresh, { recursive: true, force: true });
  });
});
