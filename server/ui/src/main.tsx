// The network page: operators and their liveness, the live task feed, a task's detail (opened
// from the feed or #<task id>), and the registry's policy clients with their versions.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { network, taskFeed, type Hex, type Operator, type TaskUpdate } from './api.js';
import { Operators } from './operators.js';
import { Registry } from './registry.js';
import { TaskDetail } from './task-detail.js';
import { Tasks } from './tasks.js';
import './style.css';

const MAX_TASKS = 50;
const TASK_HASH = /^#(0x[0-9a-fA-F]{64})$/;

function App() {
  const [operators, setOperators] = useState<Operator[]>([]);
  const [gateway, setGateway] = useState<Hex | null>(null);
  const [operatorsError, setOperatorsError] = useState<string | null>(null);
  const [tasks, setTasks] = useState<Map<string, TaskUpdate>>(new Map());
  const [connected, setConnected] = useState(false);
  const [selected, setSelected] = useState<Hex | null>(() => (TASK_HASH.exec(location.hash)?.[1] as Hex) ?? null);

  useEffect(() => {
    const poll = () => network().then(
      (n) => (setOperators(n.operators), setGateway(n.gateway), setOperatorsError(null)),
      (err: Error) => setOperatorsError(err.message),
    );
    void poll();
    const timer = setInterval(poll, 1_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => taskFeed((update) => setTasks((current) => {
    const next = new Map(current);
    next.delete(update.task_id);
    next.set(update.task_id, update);
    while (next.size > MAX_TASKS) next.delete(next.keys().next().value!);
    return next;
  }), setConnected), []);

  useEffect(() => {
    const onHash = () => setSelected((TASK_HASH.exec(location.hash)?.[1] as Hex) ?? null);
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const newest = [...tasks.values()].reverse();
  const clients = new Map<Hex, string>();
  for (const update of [...tasks.values()]) {
    const response = update.data.result?.task_response;
    if (response) clients.set(response.policy_client.toLowerCase() as Hex, response.policy_id);
  }
  const selectedUpdate = selected ? tasks.get(selected) ?? tasks.get(selected.toLowerCase()) : undefined;
  const select = (taskId: string) => (location.hash = taskId);

  return (
    <main>
      <header>
        <h1>Newton network</h1>
        <span class="muted">{location.host}{gateway && <> · gateway <code>{gateway}</code></>}</span>
      </header>
      <Operators list={operators} error={operatorsError} />
      <div class="columns">
        <Tasks tasks={newest} operators={operators} connected={connected} selected={selected} onSelect={select} />
        {selected && gateway && <TaskDetail taskId={selected} gateway={gateway} update={selectedUpdate} onClose={() => (location.hash = '')} />}
      </div>
      <Registry clients={clients} />
    </main>
  );
}

render(<App />, document.getElementById('app')!);
