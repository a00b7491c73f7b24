/**
 * `npm run token -- --doc ID --role view [--expires 3600] [--sub id] [--name "Ada"]`
 * Prints a token for operators, signed with AUTH_SECRET from the environment.
 */
import { parseArgs } from 'node:util'
import { ROLES, type Role, signToken } from '../server/common/auth'

const usage =
  'usage: npm run token -- --doc <id|*> --role <view|edit|admin> [--expires seconds] [--sub id] [--name name]'

async function main(): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        doc: { type: 'string' },
        role: { type: 'string' },
        expires: { type: 'string', default: String(24 * 3600) },
        sub: { type: 'string' },
        name: { type: 'string' },
      },
    }))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`)
    return 2
  }
  const secret = process.env.AUTH_SECRET
  if (secret === undefined || secret.length < 16) {
    process.stderr.write('AUTH_SECRET (at least 16 characters) must be set to the server’s secret\n')
    return 2
  }
  const expires = Number(values.expires)
  if (values.doc === undefined || !ROLES.includes(values.role as Role) || !Number.isInteger(expires) || expires <= 0) {
    process.stderr.write(`${usage}\n`)
    return 2
  }
  const token = await signToken(
    { doc: values.doc, role: values.role as Role, expiresInSeconds: expires, sub: values.sub, name: values.name },
    secret,
  )
  process.stdout.write(`${token}\n`)
  return 0
}

process.exitCode = await main()
