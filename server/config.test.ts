import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_VARIABLES, ConfigError, configWarnings, loadConfig } from './config'

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({})
    expect(config.port).toBe(8080)
    expect(config.host).toBe('127.0.0.1')
    expect(config.sqlitePath).toBe(resolve('data', 'tandem.db'))
    expect(config.authSecret).toBeNull()
    expect(config.limits.maxPayloadBytes).toBe(2 * 1024 * 1024)
    expect(config.publicUrl).toBe('http://127.0.0.1:8080')
  })

  it('refuses to expose an open server beyond loopback', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/AUTH_SECRET/)
    expect(() => loadConfig({ HOST: '::' })).toThrow(ConfigError)
    expect(loadConfig({ HOST: '0.0.0.0', AUTH_SECRET: 'a-long-enough-secret' }).host).toBe('0.0.0.0')
    expect(loadConfig({ HOST: 'localhost' }).host).toBe('localhost')
  })

  it('names every invalid variable at once', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', AUTH_SECRET: 'short', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })
    expect(attempt).toThrow(ConfigError)
    try {
      attempt()
    } catch (error) {
      for (const name of ['PORT', 'AUTH_SECRET', 'DATABASE_URL', 'LOG_LEVEL'])
        expect((error as Error).message).toContain(name)
    }
  })

  it('treats empty variables as unset and splits origins', () => {
    const config = loadConfig({ AUTH_SECRET: '', ALLOWED_ORIGINS: ' https://a.test , https://b.test ,' })
    expect(config.authSecret).toBeNull()
    expect(config.allowedOrigins).toEqual(['https://a.test', 'https://b.test'])
  })

  it('allows loopback names, HOST, PUBLIC_URL’s host and ALLOWED_HOSTS as request hosts', () => {
    expect(loadConfig({}).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]'])
    const config = loadConfig({
      HOST: '0.0.0.0',
      AUTH_SECRET: 'a-long-enough-secret',
      PUBLIC_URL: 'https://Docs.Example.com/',
      ALLOWED_HOSTS: ' tandem.internal:8080 , .corp.example ,',
    })
    expect(config.allowedHosts).toEqual([
      'localhost',
      '127.0.0.1',
      '[::1]',
      'docs.example.com',
      'tandem.internal',
      '.corp.example',
    ])
    expect(loadConfig({ HOST: '::1', PORT: '9000' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]'])
    expect(loadConfig({ HOST: '10.0.0.5', AUTH_SECRET: 'a-long-enough-secret' }).allowedHosts).toContain('10.0.0.5')
    expect(() => loadConfig({ ALLOWED_HOSTS: 'ok.example, https://bad.example/' })).toThrow(
      /ALLOWED_HOSTS.*https:\/\/bad/,
    )
  })

  it('warns when a server on every interface would answer loopback names only', () => {
    const secret = { AUTH_SECRET: 'a-long-enough-secret' }
    expect(configWarnings(loadConfig({ HOST: '0.0.0.0', ...secret }))).toEqual([expect.stringMatching(/ALLOWED_HOSTS/)])
    expect(configWarnings(loadConfig({ HOST: '::', ...secret }))).toHaveLength(1)
    expect(configWarnings(loadConfig({ HOST: '0.0.0.0', PUBLIC_URL: 'https://docs.example.com', ...secret }))).toEqual(
      [],
    )
    expect(configWarnings(loadConfig({ HOST: '0.0.0.0', ALLOWED_HOSTS: '*', ...secret }))).toEqual([])
    expect(configWarnings(loadConfig({}))).toEqual([])
  })

  it('documents every variable in the README’s configuration table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1])
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort())
  })
})
