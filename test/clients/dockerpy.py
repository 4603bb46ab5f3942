#!/usr/bin/python3
# docker-py (Debian's python3-docker) against `skiff serve`: the script a
# docker-py user writes. Pulls from a registry with credentials
# (X-Registry-Auth), runs a container, streams its logs, execs in it, reads
# its stats, waits for it and removes it. Prints one JSON object of what it
# saw; test/integration/serve-clients.test.ts checks it.
#   dockerpy.py unix:///path/docker.sock REGISTRY USER PASSWORD
import json
import sys

import docker

base_url, registry, user, password = sys.argv[1:5]
client = docker.DockerClient(base_url=base_url, version='auto', timeout=60)
seen = {'version': client.version()['ApiVersion'], 'ping': client.ping()}

image = client.images.pull(f'{registry}/library/busybox', tag='latest',
                           auth_config={'username': user, 'password': password})
seen['image'] = image.id
seen['tags'] = image.tags

# Runs for a few seconds: long enough to exec in it and read its stats.
container = client.containers.run(
    image.id, ['sh', '-c', 'echo one; echo two >&2; sleep 3; echo three'],
    detach=True, name='dockerpy-c', labels={'by': 'docker-py'})
container.reload()
seen['status'] = container.status
seen['listed'] = [c.name for c in client.containers.list(filters={'label': 'by=docker-py'})]

code, output = container.exec_run(['sh', '-c', 'echo from exec; exit 3'])
seen['exec'] = {'code': code, 'output': output.decode()}

stats = container.stats(stream=False)
seen['stats'] = {'has_memory': 'usage' in stats.get('memory_stats', {}), 'has_cpu': 'cpu_usage' in stats.get('cpu_stats', {})}

# follow: the lines as they come, until the container ends.
seen['logs'] = b''.join(container.logs(stream=True, follow=True)).decode()
seen['stdout_only'] = container.logs(stdout=True, stderr=False).decode()
seen['wait'] = container.wait(timeout=30)['StatusCode']

try:
    client.containers.get('dockerpy-nope')
except docker.errors.NotFound as e:
    seen['not_found'] = e.explanation

container.remove(v=True)
seen['after_remove'] = [c.name for c in client.containers.list(all=True, filters={'label': 'by=docker-py'})]
client.images.remove(f'{registry}/library/busybox:latest')
print(json.dumps(seen))
